"""The pure helpers of the patch serializers: subject prefixes and header dictionaries."""

import pytest

from patches.querysets import combined_check_state
from patches.serializers import headers_as_dict, subject_prefixes


@pytest.mark.parametrize(
    ("subject", "prefixes"),
    [
        ("[PATCH] fix", []),
        ("[RFC,v2 1/3] net: fix", ["RFC", "v2", "1/3"]),
        ("[PATCH net-next v3 02/10] x", ["net-next", "v3", "02/10"]),
        ("Re: [PATCH v2] [RESEND] x", ["v2", "RESEND"]),
        ("no prefixes [at the end]", []),
        ("", []),
    ],
)
def test_subject_prefixes(subject, prefixes):
    assert subject_prefixes(subject) == prefixes


def test_headers_as_dict():
    headers = "Received: a\nReceived: b\nSubject: a long\n subject\nX-Empty: \n"
    assert headers_as_dict(headers) == {
        "Received": ["a", "b"],
        "Subject": "a long\n subject",
        "X-Empty": "",
    }


def test_headers_as_dict_empty():
    assert headers_as_dict("") == {}


@pytest.mark.parametrize(
    ("states", "expected"),
    [([], 0), ([1], 1), ([1, 0], 0), ([0, 2, 1], 2), ([2, 3, 0], 3)],
)
def test_combined_check_state(states, expected):
    """pending 0, success 1, warning 2, fail 3: fail > warning > pending > success."""
    assert combined_check_state(states) == expected
