#!/usr/bin/env bash
# Re-vendor the map assets pinned in package.json (this is what `make vendor` runs).
# Installs into a throw-away temp dir, copies only the files listed below, then checks
# that every sourceMappingURL / CSS url(...) in the copies resolves to a vendored file.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

cp "$here/package.json" "$tmp/"
(cd "$tmp" && npm install --ignore-scripts --no-audit --no-fund --silent)
nm="$tmp/node_modules"

dirs=(leaflet leaflet.markercluster leaflet.vectorgrid leaflet.awesome-markers fontawesome jquery ol)
for d in "${dirs[@]}"; do rm -rf "${here:?}/$d"; done

# take PKG DEST FILE... : copy PKG/FILE (file or directory) into vendor/DEST/
take() {
  local pkg=$1 dest=$2; shift 2
  mkdir -p "$here/$dest"
  for f in "$@"; do cp -R "$nm/$pkg/$f" "$here/$dest/"; done
}

take leaflet                       leaflet                 dist/leaflet.js dist/leaflet.js.map dist/leaflet.css dist/images LICENSE
take leaflet.markercluster         leaflet.markercluster   dist/leaflet.markercluster.js dist/leaflet.markercluster.js.map \
                                                           dist/MarkerCluster.css dist/MarkerCluster.Default.css MIT-LICENCE.txt
take leaflet.vectorgrid            leaflet.vectorgrid      dist/Leaflet.VectorGrid.bundled.js dist/Leaflet.VectorGrid.bundled.js.map
take leaflet.awesome-markers       leaflet.awesome-markers dist/leaflet.awesome-markers.js dist/leaflet.awesome-markers.css dist/images LICENSE
take @fortawesome/fontawesome-free fontawesome             webfonts LICENSE.txt
take @fortawesome/fontawesome-free fontawesome/css         css/all.min.css
take jquery                        jquery                  dist/jquery.min.js dist/jquery.min.map LICENSE.txt
take ol                            ol                      ol.css dist/ol.js LICENSE.md

# leaflet.vectorgrid ships no LICENSE file; its licence (Beerware) is the README's "Legalese" section.
sed -n '/^## Legalese/,$p' "$nm/leaflet.vectorgrid/README.md" > "$here/leaflet.vectorgrid/LICENSE"
[ -s "$here/leaflet.vectorgrid/LICENSE" ] || { echo "vectorgrid licence text not found" >&2; exit 1; }

# Check references (ManifestStaticFilesStorage fails collectstatic on dangling ones).
status=0
while IFS= read -r -d '' f; do
  dir="$(dirname "$f")"
  # sourceMappingURL whose map is not shipped: strip the comment line from our copy.
  for m in $(grep -o 'sourceMappingURL=[^ *"]*' "$f" | cut -d= -f2-); do
    if [ ! -e "$dir/$m" ]; then
      echo "strip: ${f#"$here"/} -> missing $m" >&2
      sed -i "/sourceMappingURL=${m//./\\.}/d" "$f"
    fi
  done
  # CSS url(...) targets (data:, absolute and fragment-only URLs skipped).
  if [[ $f == *.css ]]; then
    for u in $(grep -o 'url([^)]*)' "$f" | sed -E "s/^url\(['\"]?//; s/['\"]?\)$//; s/[?#].*$//" | sort -u); do
      case $u in ''|data:*|http:*|https:*|//*|/*) continue ;; esac
      [ -e "$dir/$u" ] || { echo "MISSING: ${f#"$here"/} -> $u" >&2; status=1; }
    done
  fi
done < <(find "${dirs[@]/#/$here/}" -type f \( -name '*.js' -o -name '*.css' \) -print0)
exit $status
