"""nginx in front of gunicorn for `make serve`: its configuration, written by scripts/serve.sh at every start.

    python -m navigator.serving.nginx --listen 127.0.0.1:8000 --socket instance/nginx/gunicorn.sock \\
        --prefix instance/nginx [--user www-data] > instance/nginx/nginx.conf

nginx is the only thing visitors reach: it reads each request whole (slow clients wait in its event loop,
never in a gunicorn worker), serves static/ itself, refuses bodies larger than the site's upload limit
and more than a fair share of requests from one address, and hands the request to gunicorn on a Unix
socket with the client's address and scheme in X-Forwarded-For and X-Forwarded-Proto (nothing else of
the client's forwarding headers passes). docs/deployment.md explains each value.
"""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from navigator import config

#: Seconds a client has to send a request's headers, and between two reads of its body; then 408 and closed.
CLIENT_TIMEOUT_S = 10
#: Seconds an idle keep-alive connection stays open.
KEEPALIVE_S = 15
#: Cache lifetime of the site's own static files (their URLs carry no version: a deployment reaches browsers
#: within this time) and of vendor/ (its folders are named by version, so a new version is a new URL).
STATIC_MAX_AGE_S = 600
VENDOR_MAX_AGE_S = 365 * 24 * 3600
#: The headers the site sets on its pages, for the static files nginx serves without it.
STATIC_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    # A static file opened on its own (an SVG, say) runs nothing and loads nothing from elsewhere.
    "Content-Security-Policy": "default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; "
                               "frame-ancestors 'none'",
}
#: What static/ holds, with its media type (nginx's own mime.types is not needed, nor relied upon).
TYPES = {"text/css": "css", "application/javascript": "js", "image/svg+xml": "svg", "image/png": "png",
         "image/x-icon": "ico", "font/woff2": "woff2", "text/plain": "txt", "application/json": "json"}
#: Text files are UTF-8, as the site says of the same files (Content-Type: text/css; charset=utf-8).
CHARSET_TYPES = ("text/css", "application/javascript", "image/svg+xml", "text/plain", "application/json")
TEMP_PATHS = ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
GZIP_TYPES = ("text/css", "application/javascript", "image/svg+xml", "text/plain", "application/json",
              "application/geo+json", "text/csv")

PAGE = ("<!doctype html><html lang=\"ru\"><meta charset=\"utf-8\"><title>{title}</title>"
        "<h1>{title}</h1><p>{text}</p></html>")
#: The answers nginx gives itself: a body over the limit, too many requests, gunicorn not answering.
ERROR_PAGES = {
    "too_large": (413, "Слишком большой запрос", "Файл или форма больше {mb} МБ. Разделите файл на части."),
    "too_many": (429, "Слишком много запросов", "С вашего адреса пришло слишком много запросов подряд. "
                                                "Подождите немного и обновите страницу."),
    "unavailable": (502, "Сайт временно недоступен", "Сайт перезапускается. Обновите страницу через минуту."),
}


@dataclass(frozen=True)
class Edge:
    """Where nginx listens and what it lets through."""

    listen: str  # HOST:PORT ("[::1]:8000" for IPv6)
    socket: Path  # gunicorn's Unix socket
    prefix: Path  # nginx's folder: pid, logs, temporary files
    static: Path = config.PROJECT_ROOT / "static"
    user: str | None = None  # the workers' user when nginx starts as root
    body_mb: int = 5  # the site's UPLOAD_MAX_MB
    rate: int = 50  # requests a second per client address, to gunicorn (static files are not counted)
    burst: int = 100  # requests above the rate answered at once before 429
    connections: int = 100  # open connections per client address
    trusted_proxies: tuple[str, ...] = ()  # a TLS terminator in front: its addresses (CIDR)


def render(edge: Edge) -> str:
    listen = edge.listen if edge.listen.startswith("[") or edge.listen.count(":") <= 1 else _bracket(edge.listen)
    prefix, static = edge.prefix.resolve(), edge.static.resolve()
    lines = [
        "# Written by scripts/serve.sh (navigator/serving/nginx.py) at every start of `make serve`: edit that.",
        *([f"user {edge.user};"] if edge.user else []),
        "worker_processes auto;",
        f"pid {prefix}/nginx.pid;",
        f"lock_file {prefix}/nginx.lock;",
        "error_log stderr warn;",
        "events { worker_connections 4096; }",
        "http {",
        "    server_tokens off;",
        "    types { " + " ".join(f"{kind} {extension};" for kind, extension in TYPES.items()) + " }",
        "    default_type application/octet-stream;",
        "    sendfile on;",
        *[f"    {kind}_temp_path {prefix}/temp/{kind};" for kind in TEMP_PATHS],
        "",
        "    # Slow clients are nginx's to wait for: a request reaches gunicorn only once it has fully arrived.",
        f"    client_header_timeout {CLIENT_TIMEOUT_S}s;",
        f"    client_body_timeout {CLIENT_TIMEOUT_S}s;",
        f"    send_timeout {CLIENT_TIMEOUT_S}s;",
        f"    keepalive_timeout {KEEPALIVE_S}s;",
        "    keepalive_requests 1000;",
        "    reset_timedout_connection on;",
        f"    client_max_body_size {edge.body_mb}m;",
        "",
        "    # Fair shares per client address (requests to gunicorn; open connections).",
        f"    limit_req_zone $binary_remote_addr zone=per_address:10m rate={edge.rate}r/s;",
        "    limit_conn_zone $binary_remote_addr zone=connections:10m;",
        "    limit_req_status 429;",
        "    limit_conn_status 429;",
        f"    limit_conn connections {edge.connections};",
        *_trusted_proxies(edge.trusted_proxies),
        "",
        "    # The access log names no secret: status and password-link tokens are cut out, query strings left out.",
        "    map $uri $logged_uri {",
        "        default $uri;",
        '        "~^/applications/[^/]+(?<after>/.*)?$" "/applications/[token]$after";',
        '        "~^/set-password/" "/set-password/[token]";',
        "    }",
        "    log_format navigator '$remote_addr [$time_local] \"$request_method $logged_uri\" $status "
        "$body_bytes_sent $request_time';",
        f"    access_log {prefix}/access.log navigator buffer=32k flush=5s;",
        "",
        "    gzip on;",
        "    gzip_comp_level 4;",
        "    gzip_min_length 1024;",
        "    gzip_vary on;",
        "    gzip_proxied any;",
        f"    gzip_types {' '.join(GZIP_TYPES)};",
        "",
        "    server {",
        f"        listen {listen} default_server;",
        "        server_name _;",
        *[f"        error_page {status} @{name};" for name, (status, _title, _text) in ERROR_PAGES.items()],
        "        error_page 504 @unavailable;",
        "",
        "        location /static/vendor/ {",
        f"            alias {static}/vendor/;",
        *_static_headers(f"public, max-age={VENDOR_MAX_AGE_S}, immutable"),
        "        }",
        "        location /static/ {",
        f"            alias {static}/;",
        *_static_headers(f"public, max-age={STATIC_MAX_AGE_S}"),
        "        }",
        "        location / {",
        f"            limit_req zone=per_address burst={edge.burst} nodelay;",
        f"            proxy_pass http://unix:{edge.socket.resolve()};",
        "            proxy_next_upstream off;  # a request whose worker died is not sent again (502, the page below)",
        "            proxy_connect_timeout 5s;",
        "            proxy_read_timeout 60s;",
        "            proxy_buffers 32 16k;",
        "            proxy_busy_buffers_size 64k;",
        "            proxy_set_header Host $http_host;",
        "            proxy_set_header X-Forwarded-For $remote_addr;",
        f"            proxy_set_header X-Forwarded-Proto {'$forwarded_proto' if edge.trusted_proxies else '$scheme'};",
        *[f'            proxy_set_header {name} "";' for name in (
            "X-Forwarded-Host", "X-Forwarded-Port", "X-Forwarded-Prefix", "X-Forwarded-Ssl", "X-Forwarded-Protocol",
            "Forwarded", "X-Real-IP")],
        "        }",
        *_error_locations(edge.body_mb),
        "    }",
        "}",
    ]
    return "\n".join(lines) + "\n"


def _bracket(listen: str) -> str:
    host, port = listen.rsplit(":", 1)
    return f"[{host}]:{port}"


def _static_headers(cache_control: str) -> list[str]:
    headers = {"Cache-Control": cache_control, **STATIC_HEADERS}
    return ["            access_log off;", "            charset utf-8;",
            f"            charset_types {' '.join(CHARSET_TYPES)};",
            *[f'            add_header {name} "{value}" always;' for name, value in headers.items()]]


def _trusted_proxies(proxies: tuple[str, ...]) -> list[str]:
    """A TLS terminator in front: the client's address from its X-Forwarded-For, the scheme from its
    X-Forwarded-Proto; from anyone else those headers count for nothing."""
    if not proxies:
        return []
    return [*[f"    set_real_ip_from {proxy};" for proxy in proxies],
            "    real_ip_header X-Forwarded-For;",
            "    geo $realip_remote_addr $from_trusted_proxy {",
            "        default 0;",
            *[f"        {proxy} 1;" for proxy in proxies],
            "    }",
            '    map "$from_trusted_proxy:$http_x_forwarded_proto" $forwarded_proto {',
            '        "1:https" https;',
            "        default $scheme;",
            "    }"]


def _error_locations(body_mb: int) -> list[str]:
    lines = []
    for name, (status, title, text) in ERROR_PAGES.items():
        page = PAGE.format(title=title, text=text.format(mb=body_mb))
        lines += [f"        location @{name} {{",
                  '            default_type "text/html; charset=utf-8";',
                  f"            return {status} '{page}';",
                  "        }"]
    return lines


def upload_limit_mb() -> int:
    """The site's UPLOAD_MAX_MB, as the application reads it (environment, instance/navigator.cfg, default)."""
    return config.load(config.PROJECT_ROOT / "instance", os.environ, None)["UPLOAD_MAX_MB"]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--listen", required=True, help="HOST:PORT visitors reach")
    parser.add_argument("--socket", type=Path, required=True, help="gunicorn's Unix socket")
    parser.add_argument("--prefix", type=Path, required=True, help="nginx's folder (pid, logs, temporary files)")
    parser.add_argument("--static", type=Path, default=Edge.static)
    parser.add_argument("--user", help="the workers' user, when nginx starts as root")
    parser.add_argument("--body-mb", type=int, help="largest request body (default: the site's UPLOAD_MAX_MB)")
    parser.add_argument("--rate", type=int, default=Edge.rate, help="requests a second per client address")
    parser.add_argument("--burst", type=int, default=Edge.burst)
    parser.add_argument("--connections", type=int, default=Edge.connections, help="per client address")
    parser.add_argument("--trusted-proxy", action="append", default=[], help="a TLS terminator's address (CIDR)")
    arguments = parser.parse_args(argv)
    edge = Edge(arguments.listen, arguments.socket, arguments.prefix, arguments.static, arguments.user,
                arguments.body_mb or upload_limit_mb(), arguments.rate, arguments.burst, arguments.connections,
                tuple(arguments.trusted_proxy))
    sys.stdout.write(render(edge))


if __name__ == "__main__":
    main()
