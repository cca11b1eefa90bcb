"""The README documents every setting (its table is the operator's reference)."""

from pathlib import Path

from photoshare_shared.settings import Settings

README = (Path(__file__).parents[2] / "README.md").read_text()


def env_name(field_name: str) -> str:
    alias = Settings.model_fields[field_name].validation_alias
    if alias is None:
        return f"PHOTOSHARE_{field_name.upper()}"
    return alias if isinstance(alias, str) else alias.choices[-1]


def test_every_setting_is_in_the_readme_table():
    missing = [env_name(name) for name in Settings.model_fields if f"`{env_name(name)}`" not in README]
    assert missing == []
