"""The webhook signature: the app's verify_signature and the receiver's snippet printed in
docs/integration.md (run here as it is printed) accept a genuine, fresh notice and nothing
else. No database."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from intake.notifications import signing

DOCS = Path(__file__).resolve().parent.parent / "docs" / "integration.md"
SECRET = "whsec_test-secret-0123456789"
BODY = b'{"id":812,"type":"case.submitted","case_id":97}'
NOW = 1_796_400_000


def _documented_verify():
    """The ```python block in docs/integration.md that defines verify_signature, executed."""
    blocks = re.findall(r"```python\n(.*?)```", DOCS.read_text(), flags=re.DOTALL)
    [snippet] = [block for block in blocks if "def verify_signature" in block]
    namespace: dict = {}
    exec(compile(snippet, str(DOCS), "exec"), namespace)  # noqa: S102 (our own documentation)
    return namespace["verify_signature"]


VERIFIERS = {"app": signing.verify_signature, "docs": _documented_verify()}


def _headers(*, secret: str = SECRET, body: bytes = BODY, at: int = NOW) -> dict[str, str]:
    headers = signing.signed_headers(secret=secret, body=body, timestamp=at)
    return {"timestamp": headers["X-Intake-Timestamp"], "signature": headers["X-Intake-Signature"]}


def test_signing_headers_follow_the_documented_scheme():
    headers = signing.signed_headers(secret="k", body=b"{}", timestamp=1)

    # printf '1.{}' | openssl dgst -sha256 -hmac k
    assert headers == {
        "X-Intake-Timestamp": "1",
        "X-Intake-Signature": "v1=3dd49b2593d0f9a349e9e71c4bde3e2b862c2be4003fe9b4ba81332029310158",
    }


def test_signing_new_secret_is_random_and_prefixed():
    first, second = signing.new_secret(), signing.new_secret()

    assert (first[:6], len(first), first != second) == ("whsec_", 49, True)


@pytest.mark.parametrize("verify", VERIFIERS.values(), ids=VERIFIERS.keys())
def test_signing_genuine_fresh_notice_verifies(verify):
    assert verify(secret=SECRET, body=BODY, now=NOW + 299, **_headers()) is True


@pytest.mark.parametrize("verify", VERIFIERS.values(), ids=VERIFIERS.keys())
@pytest.mark.parametrize(
    ("change", "now"),
    [
        pytest.param({"body": BODY.replace(b"97", b"98")}, NOW, id="tampered-body"),
        pytest.param({"body": BODY + b" "}, NOW, id="body-with-a-space-more"),
        pytest.param({"secret": "whsec_another"}, NOW, id="wrong-secret"),
        pytest.param({}, NOW + 301, id="replayed-after-five-minutes"),
        pytest.param({}, NOW - 301, id="timestamp-from-the-future"),
        pytest.param({"timestamp": str(NOW + 1)}, NOW, id="timestamp-changed"),
        pytest.param({"timestamp": None}, NOW, id="no-timestamp"),
        pytest.param({"signature": None}, NOW, id="no-signature"),
        pytest.param({"signature": ""}, NOW, id="empty-signature"),
        pytest.param({"timestamp": "17964e5"}, NOW, id="timestamp-not-digits"),
        pytest.param({"timestamp": "-1796400000"}, NOW, id="negative-timestamp"),
        pytest.param({"timestamp": "\u0661" * 10}, NOW, id="non-ascii-digits"),
        pytest.param({"timestamp": "9" * 5000}, NOW, id="huge-timestamp"),
        pytest.param({"signature": "v2=abc"}, NOW, id="unknown-scheme"),
        pytest.param({"signature": "v1=é" * 3}, NOW, id="non-ascii-signature"),
        pytest.param({"signature": "\ud800"}, NOW, id="lone-surrogate"),
    ],
)
def test_signing_anything_else_is_refused(verify, change, now):
    given = {"secret": SECRET, "body": BODY, **_headers()}
    if "secret" in change or "body" in change:
        # Signed as sent; checked against what arrived (another body, another secret).
        given = {**given, **change}
    else:
        given.update(change)

    assert verify(now=now, **given) is False


@pytest.mark.parametrize("verify", VERIFIERS.values(), ids=VERIFIERS.keys())
def test_signing_one_right_value_among_several_verifies(verify):
    headers = _headers()
    several = f"v1={'0' * 64}, {headers['signature']}"

    assert (
        verify(secret=SECRET, body=BODY, timestamp=headers["timestamp"], signature=several, now=NOW)
        is True
    )
