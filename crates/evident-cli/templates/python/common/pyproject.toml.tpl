# {{name}}: an Evident {{kind}} component in Python (`app.py`). Its one dependency is the
# Evident Python SDK (PyPI `evident-sdk`, imported as `evident`). Installed in `.venv` (or in the
# active virtual environment), it is what `evident build` builds with; without one, the build
# uses the copy of the SDK that `evident` carries.
#
#     python3 -m venv .venv
#     .venv/bin/pip install "evident-sdk=={{sdk_package_version}}"    # or a wheel you built
#     evident build

[project]
name = "{{name}}"
version = "0.1.0"
description = "An Evident {{kind}} component in Python"
requires-python = ">=3.10"
dependencies = ["evident-sdk=={{sdk_package_version}}"]
