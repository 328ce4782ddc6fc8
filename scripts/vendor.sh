#!/bin/sh
# Copies the front-end libraries installed from the npm registry into pwa/static/vendor (never a CDN).
set -eu
dest=pwa/static/vendor
rm -rf "$dest"
mkdir -p "$dest/leaflet"
cp node_modules/leaflet/dist/leaflet.js node_modules/leaflet/dist/leaflet.css "$dest/leaflet/"
cp -r node_modules/leaflet/dist/images "$dest/leaflet/images"
echo "vendored leaflet $(node -p "require('./node_modules/leaflet/package.json').version") into $dest"
