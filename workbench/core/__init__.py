"""Qt-free core shared by the command line and the window.

Nothing here may import PySide6, pyqtgraph or qasync (checked by import-linter).
"""
