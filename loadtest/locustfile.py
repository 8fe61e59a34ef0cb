"""The flash sale as people press the button: each simulated user is one user id, presses until
the service gives a final answer (201, 409, 410 or 422; 503/429 mean "press again"), and about one
in five presses once more after a 201, as people do, and must get 409 with the same issuance.
Run by `scripts/bench flash-sale`.

Environment: COUPON_ID (the coupon on sale), COUPON_USERS (distinct user ids to draw from),
FLASH_STATUS_LOG (a CSV file: one line per second with the count of each status).
"""

import collections
import os
import random
import threading
import time

from locust import FastHttpUser, constant, events, task

COUPON = os.environ["COUPON_ID"]
USERS = int(os.environ.get("COUPON_USERS", "100000"))
FINAL = {201, 409, 410, 422}

_per_second = collections.defaultdict(collections.Counter)
_lock = threading.Lock()


@events.request.add_listener
def _count(request_type, name, response_time, response_length, response=None, exception=None, **kwargs):
    status = getattr(response, "status_code", 0) or 0
    with _lock:
        _per_second[int(time.time())][status] += 1


@events.quitting.add_listener
def _write(environment, **kwargs):
    path = os.environ.get("FLASH_STATUS_LOG")
    if not path:
        return
    with _lock, open(path, "w") as out:
        statuses = sorted({s for counts in _per_second.values() for s in counts})
        out.write("second," + ",".join(str(s) for s in statuses) + "\n")
        for second in sorted(_per_second):
            out.write(f"{second}," + ",".join(str(_per_second[second][s]) for s in statuses) + "\n")


class Buyer(FastHttpUser):
    wait_time = constant(0)

    def on_start(self):
        self.user_id = f"fan-{random.randint(1, USERS)}"

    @task
    def press(self):
        while True:
            with self.client.post(
                f"/v1/coupons/{COUPON}/issues", json={"userId": self.user_id}, name="issue", catch_response=True
            ) as response:
                # Every final answer is a success for the load test: the service answered.
                if response.status_code in FINAL:
                    response.success()
                else:
                    response.failure(f"status {response.status_code}")
                status = response.status_code
                issued = response.json() if status == 201 else None
            if status in FINAL:
                break
        if status == 201 and random.random() < 0.2:
            # Pressing again must answer 409 with the very issuance the 201 gave.
            with self.client.post(
                f"/v1/coupons/{COUPON}/issues", json={"userId": self.user_id}, name="issue again", catch_response=True
            ) as again:
                held = again.json().get("issuance", {}) if again.status_code == 409 else {}
                if held.get("seq") == issued["seq"] and held.get("eventId") == issued["eventId"]:
                    again.success()
                else:
                    again.failure(f"status {again.status_code}, not the 409 with seq {issued['seq']}")
        # Next round: another person.
        self.user_id = f"fan-{random.randint(1, USERS)}"
