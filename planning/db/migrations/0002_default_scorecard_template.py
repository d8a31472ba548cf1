"""Every database starts with the default "Strategic Account Health" scorecard template."""

from planning.scorecard_defaults import install_default_template


def apply(con) -> None:
    install_default_template(con)
