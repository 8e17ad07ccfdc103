"""Icons, styles and other data files, shipped as the package workbench.resources (see README.md)."""
