"""cfn-lint and checkov must be clean on the template (checkov suppressions only with a reason)."""

import json

import pytest

from photoshare_deploy import indexes, lint, template


def test_cfn_lint_is_clean():
    result = lint.cfn_lint()
    assert result.ok, result.report


@pytest.mark.timeout(900)
def test_checkov_is_clean():
    result = lint.checkov()
    assert result.ok, result.report


def test_cfn_lint_is_clean_on_a_step_that_adds_one_index(tmp_path):
    # An intermediate template of `up` (one index short): no attribute definition left unused.
    step = tmp_path / "step.json"
    step.write_text(json.dumps(indexes.with_indexes(template.load(), ["gallery", "attention", "owner", "lists"])))
    result = lint.cfn_lint(step)
    assert result.ok, result.report
