# Cairn in one static binary on a distroless base.
#   docker build -t cairn:dev --build-arg VERSION=$(git describe --always) .
#   docker run -p 8080:8080 -v cairn-data:/data cairn:dev
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
# modernc.org/sqlite is pure Go, so the binary needs no C library.
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/cairn ./cmd/cairn \
 && mkdir -p /out/data

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/cairn /usr/local/bin/cairn
# SQLite and its key file live here when no PostgreSQL URL is given.
COPY --from=build --chown=65532:65532 /out/data /data
ENV CAIRN_ADDR=0.0.0.0:8080 \
    CAIRN_DATABASE_URL=/data/cairn.db
VOLUME /data
EXPOSE 8080
USER 65532:65532
ENTRYPOINT ["/usr/local/bin/cairn"]
CMD ["serve"]
