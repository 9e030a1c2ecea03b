// Hex helpers: keys and values cross the JSON boundary as lowercase hex.
// Lowercase hex strings sort in the same order as the bytes they encode.

export function toHex(bytes) {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("hex");
}

export function fromHex(text, what = "hex") {
  if (typeof text !== "string" || text.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(text)) {
    throw new TypeError(`${what} must be an even-length hex string`);
  }
  return Buffer.from(text, "hex");
}

/** Converts bigint/number metadata from the binding into a plain JS number (or null). */
export function num(value) {
  return value === undefined || value === null ? null : Number(value);
}
