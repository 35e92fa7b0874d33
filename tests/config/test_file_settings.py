"""The upload cap and the file-serving mode are read strictly: a bad value stops start-up, named."""

from __future__ import annotations

import pytest

from tests.config.processes import start_django


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"UPLOAD_MAX_MB": "lots"}, "UPLOAD_MAX_MB='lots' is not a whole number."),
        ({"UPLOAD_MAX_MB": "0"}, "UPLOAD_MAX_MB=0 must be a whole number of at least 1."),
        (
            {"FILE_SERVE_ACCEL": "apache"},
            "FILE_SERVE_ACCEL='apache' is not one of '', 'x-accel-redirect', 'x-sendfile'.",
        ),
        (
            {"FILE_SERVE_ACCEL": "x-accel-redirect", "FILE_SERVE_ACCEL_PREFIX": "protected"},
            "FILE_SERVE_ACCEL_PREFIX='protected' must be a path that starts and ends with /.",
        ),
    ],
)
def test_start_up_fails_naming_a_bad_file_setting(env, message):
    result = start_django(DJANGO_DEBUG="true", **env)
    assert result.returncode != 0 and message in result.stderr
