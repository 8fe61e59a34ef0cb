# Build: the Swift toolchain image, with the C libraries the package wraps.
FROM swift:6.3-bookworm AS build
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends libhiredis-dev libsqlite3-dev libmariadb-dev pkg-config \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# Resolve dependencies in their own layer, so a source change does not fetch them again.
COPY Package.swift Package.resolved ./
RUN swift package resolve
COPY Sources ./Sources
COPY Migrations ./Migrations
COPY Benchmarks/CouponBench ./Benchmarks/CouponBench
COPY Tests ./Tests
RUN swift build -c release --product coupon --static-swift-stdlib \
    && cp "$(swift build -c release --show-bin-path)/coupon" /usr/local/bin/coupon

# Run: a slim Debian with the two shared libraries; the migrations are inside the binary.
FROM debian:bookworm-slim
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends libhiredis0.14 libsqlite3-0 libmariadb3 ca-certificates curl \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home /data coupon \
    && mkdir -p /data && chown coupon /data
COPY --from=build /usr/local/bin/coupon /usr/local/bin/coupon
USER coupon
WORKDIR /data
ENV COUPON_HOST=0.0.0.0 COUPON_PORT=8080 COUPON_DATABASE_URL=sqlite:/data/coupons.sqlite
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=2s CMD curl -fsS http://127.0.0.1:8080/healthz || exit 1
ENTRYPOINT ["coupon"]
CMD ["serve"]
