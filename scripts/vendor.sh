#!/bin/sh
# Copies the front-end libraries installed from the npm registry into pwa/static/vendor (never a CDN).
set -eu
dest=pwa/static/vendor
rm -rf "$dest"
mkdir -p "$dest/leaflet" "$dest/markercluster"
cp node_modules/leaflet/dist/leaflet.js node_modules/leaflet/dist/leaflet.css "$dest/leaflet/"
cp -r node_modules/leaflet/dist/images "$dest/leaflet/images"
cp node_modules/leaflet.markercluster/dist/leaflet.markercluster.js \
   node_modules/leaflet.markercluster/dist/MarkerCluster.css "$dest/markercluster/"
# The bundled files end with a source map comment whose map we do not ship.
sed -i "/^\/\/# sourceMappingURL=/d" "$dest/markercluster/leaflet.markercluster.js" "$dest/leaflet/leaflet.js"
echo "vendored leaflet $(node -p "require('./node_modules/leaflet/package.json').version")" \
     "and leaflet.markercluster $(node -p "require('./node_modules/leaflet.markercluster/package.json').version") into $dest"
