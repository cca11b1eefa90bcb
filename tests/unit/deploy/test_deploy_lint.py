"""cfn-lint and checkov must be clean on the template (checkov suppressions only with a reason)."""

import pytest

from photoshare_deploy import lint


def test_cfn_lint_is_clean():
    result = lint.cfn_lint()
    assert result.ok, result.report


@pytest.mark.timeout(900)
def test_checkov_is_clean():
    result = lint.checkov()
    assert result.ok, result.report
