# inquestd and inquest in a container (Debian 12, the platform the Makefile
# targets).  Build: docker build -t inquest .   Used by docker-compose.yml.
# Run: docker run --env-file deploy/inquest.env -p 127.0.0.1:7700:7700 \
#        -v inquest-data:/var/lib/inquest/data inquest
# inquestd listens on 0.0.0.0 inside the container, so it refuses to start
# unless the environment gives it API tokens (INQUEST_READ_TOKEN, ...) and
# a secret for every webhook source it serves (see docs/security.md).
# It runs as uid/gid 10001 (not root); the health check asks /healthz with
# curl.  Backups (docs/operations.md): mount a volume on
# /var/lib/inquest/backups, then
#   docker exec -e INQUEST_TOKEN=ADMIN-TOKEN CONTAINER \
#     inquest --http http://127.0.0.1:7700 backup /var/lib/inquest/backups/NAME
FROM debian:12-slim AS build
RUN apt-get update -qq && apt-get install -y -qq --no-install-recommends \
      gcc make pkg-config libc6-dev libzmq3-dev libmsgpack-dev librocksdb-dev libpcre2-dev \
      libjansson-dev libmicrohttpd-dev libcurl4-openssl-dev libsodium-dev libcmark-gfm-dev \
      libcmark-gfm-extensions-dev \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN make -j"$(nproc)" BUILD=build-docker build-docker/inquestd build-docker/inquest \
    && install -d /out/bin /out/share/inquest \
    && install -m 0755 build-docker/inquestd build-docker/inquest /out/bin/ \
    && cp -R schemas /out/share/inquest/

FROM debian:12-slim
RUN apt-get update -qq && apt-get install -y -qq --no-install-recommends \
      libzmq5 libmsgpackc2 librocksdb7.8 libpcre2-8-0 libjansson4 libmicrohttpd12 libcurl4 \
      libsodium23 libcmark-gfm0.29.0.gfm.6 libcmark-gfm-extensions0.29.0.gfm.6 ca-certificates \
      curl tzdata \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid 10001 inquest \
    && useradd --system --uid 10001 --gid 10001 --home /var/lib/inquest --create-home inquest \
    && install -d -o 10001 -g 10001 -m 0700 /var/lib/inquest/data /var/lib/inquest/backups
COPY --from=build /out/bin/ /usr/local/bin/
COPY --from=build /out/share/inquest/ /usr/local/share/inquest/
USER 10001:10001
WORKDIR /var/lib/inquest
EXPOSE 7700
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD curl -fsS -o /dev/null http://127.0.0.1:7700/healthz || exit 1
ENTRYPOINT ["inquestd"]
CMD ["--data", "/var/lib/inquest/data", "--listen-http", "0.0.0.0:7700", \
     "--listen-zmq", "tcp://127.0.0.1:7701", "--sources-enabled", "alertmanager,events"]
