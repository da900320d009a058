#!/bin/sh
# Install the PyInstaller bundle side by side, so the app can update itself
# (app/updates/app_install.py describes the layout):
#
#   installer/linux/install.sh dist/pmv-support [ROOT]
#
# ROOT defaults to ~/.local/lib/pmv-support; the command `pmv-support` is linked
# into ~/.local/bin and the .desktop entries into ~/.local/share/applications
# and ~/.config/autostart. Running it again with a newer bundle switches to it.
set -eu
bundle="${1:?usage: install.sh BUNDLE_DIR [ROOT]}"
root="${2:-$HOME/.local/lib/pmv-support}"
here="$(cd "$(dirname "$0")" && pwd)"
[ -x "$bundle/pmv-support" ] || { echo "install.sh: no pmv-support program in $bundle" >&2; exit 1; }
version="$("$bundle/pmv-support" --version | awk '{print $NF}')"
# An empty or odd version (the program failed to run) must never reach the rm -rf below.
case "$version" in
  ''|*[!0-9.]*|.*) echo "install.sh: $bundle/pmv-support --version gave no version ('$version')" >&2; exit 1 ;;
esac
previous=""
[ -f "$root/current" ] && previous="$(head -n 1 "$root/current")"
mkdir -p "$root/versions"
rm -rf "$root/versions/$version.new"
cp -a "$bundle" "$root/versions/$version.new"
rm -rf "$root/versions/$version"
mv "$root/versions/$version.new" "$root/versions/$version"
[ "$previous" = "$version" ] && previous=""
printf '%s\nprevious %s\n' "$version" "$previous" > "$root/current.tmp"
mv "$root/current.tmp" "$root/current"
cat > "$root/pmv-support" <<'LAUNCHER'
#!/bin/sh
# PMV Support Assistant launcher: starts the version named in 'current'.
# Written by the app (app/updates/app_install.py); updates switch 'current' only.
root="$(dirname "$(readlink -f "$0")")"
version="$(head -n 1 "$root/current")"
exec "$root/versions/$version/pmv-support" "$@"
LAUNCHER
chmod 755 "$root/pmv-support"
if [ -z "${PMV_INSTALL_NO_DESKTOP:-}" ]; then
  mkdir -p "$HOME/.local/bin" "$HOME/.local/share/applications" "$HOME/.config/autostart"
  ln -sf "$root/pmv-support" "$HOME/.local/bin/pmv-support"
  cp "$here/pmv-support.desktop" "$HOME/.local/share/applications/"
  cp "$here/pmv-support-autostart.desktop" "$HOME/.config/autostart/"
fi
echo "installed PMV Support Assistant $version in $root"
