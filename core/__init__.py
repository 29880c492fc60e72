"""What every app shares and which imports no app (DESIGN.md, "Layout")."""
