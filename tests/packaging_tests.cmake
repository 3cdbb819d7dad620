# Packaging (issue 14): the .deb built by scripts/package.sh, installed into a throw-away root.
