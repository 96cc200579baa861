"""A small JSON-over-HTTP client for OpenAI-compatible servers (standard library only).

    post(...)            one POST with retries; returns the response, still open
    get_json(...)        one GET of a JSON object (no retries: for quick checks)
    read_json(resp)      the whole body as a JSON object
    sse_events(resp)     the `data:` payloads of a server-sent-event stream, as JSON objects

Every failure a user can meet becomes one `ModelError` line: connection refused, timeout, 401/403
(the key), 404 (the URL or the model name), 400 (`HTTPStatusError`, so the caller can retry
without an optional field), 429 and 5xx after the retries, and bodies that are not the JSON
they should be. 429 and 5xx are retried with exponential backoff, honouring `Retry-After`.
"""

from __future__ import annotations

import json
import socket
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.client import HTTPException, HTTPResponse
from typing import Any

from agent.engine.errors import ModelError

RETRY_STATUS = frozenset({429, 500, 502, 503, 504})
MAX_RETRY_AFTER = 30.0


class HTTPStatusError(ModelError):
    """A 4xx the caller may want to handle (e.g. 400: drop an optional field and retry)."""

    def __init__(self, message: str, status: int, body: str) -> None:
        super().__init__(message)
        self.status = status
        self.body = body


@dataclass(frozen=True)
class Retry:
    attempts: int = 4  # the first try included
    backoff: float = 1.0  # seconds before the first retry; doubled each time


@contextmanager
def transport(url: str, timeout: float, doing: str) -> Iterator[None]:
    """The one translation of a transport failure into a `ModelError` line: `doing` says what was
    under way ("connect", "read", "stream"), which decides the words. HTTP status errors are the
    callers' (they retry some)."""
    try:
        yield
    except urllib.error.HTTPError:
        raise
    except urllib.error.URLError as err:
        raise ModelError(_connection_problem(url, err.reason, timeout)) from None
    except TimeoutError:
        what = {"connect": f"no reply from {url} within", "read": f"no reply from {url} within",
                "stream": f"the stream from {url} stalled for"}[doing]
        raise ModelError(f"{what} {timeout:g} s (raise --timeout for slow servers)") from None
    except (HTTPException, OSError) as err:
        what = {"connect": f"the connection to {url} failed", "read": f"the reply from {url} broke off",
                "stream": f"the stream from {url} broke off"}[doing]
        raise ModelError(f"{what}: {_short(err)}") from None


def post(url: str, body: dict[str, Any], headers: dict[str, str], timeout: float, retry: Retry) -> HTTPResponse:
    data = json.dumps(body).encode("utf-8")
    for attempt in range(1, retry.attempts + 1):
        request = urllib.request.Request(url, data=data, method="POST", headers={"Content-Type": "application/json", **headers})
        try:
            with transport(url, timeout, "connect"):
                return urllib.request.urlopen(request, timeout=timeout)  # noqa: S310 - URL given by the user
        except urllib.error.HTTPError as err:
            text = _body_text(err)
            if err.code in RETRY_STATUS and attempt < retry.attempts:
                time.sleep(_delay(err, attempt, retry))
                continue
            raise _status_error(url, err.code, text) from None
    raise AssertionError("unreachable")


def get_json(url: str, headers: dict[str, str], timeout: float) -> dict[str, Any]:
    request = urllib.request.Request(url, method="GET", headers=headers)
    try:
        with transport(url, timeout, "connect"):
            response = urllib.request.urlopen(request, timeout=timeout)  # noqa: S310 - URL given by the user
    except urllib.error.HTTPError as err:
        raise _status_error(url, err.code, _body_text(err)) from None
    with response:
        return read_json(response, url, timeout)


def read_json(response: HTTPResponse, url: str, timeout: float) -> dict[str, Any]:
    with transport(url, timeout, "read"):
        raw = response.read()
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise ModelError(f"the reply from {url} is not JSON: {_preview(raw)}") from None
    if not isinstance(data, dict):
        raise ModelError(f"the reply from {url} is not a JSON object: {_preview(raw)}")
    return data


def sse_events(response: HTTPResponse, url: str, timeout: float) -> Iterator[dict[str, Any]]:
    """JSON payloads of `data:` lines until `data: [DONE]` (or the stream's end)."""
    while True:
        with transport(url, timeout, "stream"):
            line = response.readline()
        if not line:
            return
        text = line.decode("utf-8", errors="replace").strip()
        if not text.startswith("data:"):
            continue  # blank separators, comments (":"), "event:" and "id:" lines
        payload = text[5:].strip()
        if payload == "[DONE]":
            return
        try:
            event = json.loads(payload)
        except json.JSONDecodeError:
            if payload.startswith('{"error"'):
                # A server's error whose message held a raw newline arrives cut at the line's end
                # (transformers serve, when its tool-call parser fails on the model's output).
                raise ModelError(f"the server reported an error mid-stream: {_preview(payload.encode())}") from None
            raise ModelError(f"the stream from {url} sent an event that is not JSON: {_preview(payload.encode())}") from None
        if not isinstance(event, dict):
            raise ModelError(f"the stream from {url} sent an event that is not a JSON object")
        if "error" in event:
            raise ModelError(f"the server reported an error mid-stream: {_error_message(json.dumps(event))}")
        yield event


def _status_error(url: str, status: int, body: str) -> ModelError:
    message = _error_message(body)
    if status in (401, 403):
        return HTTPStatusError(f"the server at {url} refused the request ({status}: {message}); check the API key (--api-key-env)", status, body)
    if status == 404:
        return HTTPStatusError(
            f"not found at {url} (404: {message}); check --base-url (usually ends in /v1) and --model (the name the server serves)",
            status, body,
        )
    if status in RETRY_STATUS:
        return ModelError(f"the server at {url} failed ({status}: {message}) after retries")
    return HTTPStatusError(f"the server at {url} rejected the request ({status}: {message})", status, body)


def _connection_problem(url: str, reason: Any, timeout: float) -> str:
    if isinstance(reason, ConnectionRefusedError):
        return f"no server at {url} (connection refused); start one (see README: vLLM, SGLang, Ollama) or fix --base-url"
    if isinstance(reason, (TimeoutError, socket.timeout)):
        return f"no reply from {url} within {timeout:g} s (raise --timeout for slow servers)"
    if isinstance(reason, socket.gaierror):
        return f"cannot reach {url}: the host name does not resolve (no network?)"
    return f"cannot reach {url}: {_short(reason)}"


def _delay(err: urllib.error.HTTPError, attempt: int, retry: Retry) -> float:
    header = err.headers.get("Retry-After") if err.headers else None
    if header:
        try:
            return min(MAX_RETRY_AFTER, max(0.0, float(header)))
        except ValueError:
            pass  # an HTTP date: fall back to our own backoff
    return retry.backoff * 2 ** (attempt - 1)


def _body_text(err: urllib.error.HTTPError) -> str:
    try:
        return err.read().decode("utf-8", errors="replace")
    except (OSError, HTTPException):
        return ""


def _error_message(body: str) -> str:
    """The server's own message from an OpenAI-style error body, else the body's start."""
    try:
        data = json.loads(body)
    except (json.JSONDecodeError, TypeError):
        return _preview(body.encode()) or "no details"
    if isinstance(data, dict):
        error = data.get("error", data)
        if isinstance(error, dict):
            for key in ("message", "detail", "msg"):
                if isinstance(error.get(key), str):
                    return " ".join(error[key].split())[:200]
        if isinstance(error, str):
            return error[:200]
        if isinstance(data.get("detail"), str):
            return data["detail"][:200]
    return _preview(body.encode())


def _preview(raw: bytes) -> str:
    text = " ".join(raw.decode("utf-8", errors="replace").split())
    return text[:120] + ("..." if len(text) > 120 else "") if text else "(empty)"


def _short(err: Any) -> str:
    text = str(err).strip() or type(err).__name__
    return text.splitlines()[0][:160]
