"""Render a deploy template: replace ${EXAM_*} placeholders with values from the environment.

    EXAM_SERVER_NAME=exam.bangkok.go.th ... python deploy/render.py TEMPLATE OUTPUT

Only upper-case names that start with EXAM_ are placeholders, so nginx's own lower-case variables
($host, $http_upgrade, ...) pass through untouched. The same templates work with
`envsubst '${EXAM_SERVER_NAME} ...'` and with the official nginx image's /etc/nginx/templates
(NGINX_ENVSUBST_FILTER=EXAM_). Unlike envsubst, a placeholder without a value is an error here,
never an empty string in a production config.
"""

import os
import re
import sys
from pathlib import Path

PLACEHOLDER = re.compile(r"\$\{(EXAM_[A-Z0-9_]+)\}")


def render(text: str, values: dict[str, str]) -> str:
    missing = sorted({name for name in PLACEHOLDER.findall(text) if name not in values})
    if missing:
        raise KeyError(f"no value for {', '.join(missing)}")
    return PLACEHOLDER.sub(lambda match: values[match.group(1)], text)


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        print(f"usage: {argv[0]} TEMPLATE OUTPUT", file=sys.stderr)
        return 2
    template, output = Path(argv[1]), Path(argv[2])
    try:
        rendered = render(template.read_text(encoding="utf-8"), dict(os.environ))
    except KeyError as exc:
        print(f"{template}: {exc.args[0]}", file=sys.stderr)
        return 1
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(rendered, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
