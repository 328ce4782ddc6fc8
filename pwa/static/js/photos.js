// Photos on the phone: downscaled before upload (a 12 MP photo becomes ~0.5 MB), and their GPS position read.

/** A file that is not a photo we can send: empty, not an image at all, or an image that does not decode. Its code
 *  has a text in strings/*-errors.js, which names the file. */
export class PhotoProblem extends Error {
  constructor(code, file) {
    super(code);
    this.code = code;
    this.field = "photo";
    this.params = { name: file.name || "photo" };
  }
}

// The first bytes of the image formats a phone produces; HEIF/AVIF ("ftyp" + brand) many browsers cannot decode.
const MAGIC = [
  ["jpeg", 0, [0xff, 0xd8, 0xff]], ["png", 0, [0x89, 0x50, 0x4e, 0x47]], ["gif", 0, [0x47, 0x49, 0x46, 0x38]],
  ["webp", 8, [0x57, 0x45, 0x42, 0x50]], ["heif", 4, [0x66, 0x74, 0x79, 0x70]],
];

async function imageKind(file) {
  const head = new Uint8Array(await file.slice(0, 16).arrayBuffer());
  return MAGIC.find(([, at, bytes]) => bytes.every((b, i) => head[at + i] === b))?.[0] || null;
}

/** A JPEG at most `side` px on its long side, upright. A HEIC the browser can't decode is sent as it is (the server
 *  reads it); an empty file, a file that is no image, or an image that does not decode throws a PhotoProblem. */
export async function downscale(file, side = 2048) {
  if (!file.size) throw new PhotoProblem("photo_empty", file);
  const kind = await imageKind(file);
  if (!kind) throw new PhotoProblem("photo_not_image", file);
  let bitmap;
  try {
    bitmap = await createImageBitmap(file, { imageOrientation: "from-image" });
  } catch (undecodable) {
    if (kind === "heif") return file;
    throw new PhotoProblem("photo_damaged", file);
  }
  const scale = Math.min(1, side / Math.max(bitmap.width, bitmap.height));
  const canvas = document.createElement("canvas");
  canvas.width = Math.round(bitmap.width * scale);
  canvas.height = Math.round(bitmap.height * scale);
  canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
  bitmap.close();
  return new Promise((resolve) => canvas.toBlob((blob) => resolve(blob || file), "image/jpeg", 0.85));
}

/** The EXIF GPS position of a JPEG as {lat, lon}, or null. Reads the first 128 KB only. */
export async function gpsOf(file) {
  const view = new DataView(await file.slice(0, 131072).arrayBuffer());
  if (view.byteLength < 4 || view.getUint16(0) !== 0xffd8) return null;
  let offset = 2;
  while (offset + 4 < view.byteLength) {
    const marker = view.getUint16(offset);
    const length = view.getUint16(offset + 2);
    if (marker === 0xffe1 && view.getUint32(offset + 4) === 0x45786966) return readTiff(view, offset + 10);
    if ((marker & 0xff00) !== 0xff00 || marker === 0xffda) return null;
    offset += 2 + length;
  }
  return null;
}

function readTiff(view, start) {
  try {
    const little = view.getUint16(start) === 0x4949;
    const u16 = (o) => view.getUint16(start + o, little);
    const u32 = (o) => view.getUint32(start + o, little);
    const entries = (ifd) => Array.from({ length: u16(ifd) }, (_, i) => ifd + 2 + i * 12);
    const gpsEntry = entries(u32(4)).find((e) => u16(e) === 0x8825);
    if (gpsEntry === undefined) return null;
    const tags = {};
    for (const e of entries(u32(gpsEntry + 8))) {
      const tag = u16(e);
      if (tag === 1 || tag === 3) tags[tag] = String.fromCharCode(view.getUint8(start + e + 8));
      if (tag === 2 || tag === 4) {
        const at = u32(e + 8);
        const part = (i) => u32(at + i * 8) / u32(at + i * 8 + 4);
        tags[tag] = part(0) + part(1) / 60 + part(2) / 3600;
      }
    }
    if (tags[2] === undefined || tags[4] === undefined) return null;
    const lat = tags[1] === "S" ? -tags[2] : tags[2];
    const lon = tags[3] === "W" ? -tags[4] : tags[4];
    return Number.isFinite(lat) && Number.isFinite(lon) && (lat || lon) ? { lat, lon } : null;
  } catch (malformed) {
    return null;
  }
}

/** Distance in metres between two points (haversine): is the photo far from the pin? */
export function metresBetween(a, b) {
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLon = (b.lon - a.lon) * rad;
  const x = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) ** 2;
  return 12742000 * Math.asin(Math.sqrt(x));
}
