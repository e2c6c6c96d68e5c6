from pathlib import Path

from cluster_etl.publish.metadata import columns_markdown

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_documents_every_table_and_column_as_schema_py_does():
    assert "\n".join(columns_markdown("####")) in README.read_text("utf-8")


def test_readme_shows_the_two_commands():
    text = README.read_text("utf-8")
    assert "make run" in text and "make test" in text
