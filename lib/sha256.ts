import { hash } from "node:crypto";

/** SHA-256 of bytes or of a string's UTF-8; one call instead of a Hash object's three (create, update, digest). */
export function sha256(data: string | Uint8Array): Buffer {
  return hash("sha256", data, "buffer");
}
