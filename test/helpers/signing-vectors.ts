/**
 * The signing vectors the repository keeps in emulator/testdata (copies of the vendors' examples and of vectors
 * computed with their SDKs), typed once for the signer's tests and the emulator's.
 */
import { readFileSync } from "node:fs";
import path from "node:path";

export const VECTORS_DIR = path.resolve(__dirname, "../../emulator/testdata");

/** A vectors file of emulator/testdata, parsed. */
export function loadVectors<T>(fileName: string): T {
  return JSON.parse(readFileSync(path.join(VECTORS_DIR, fileName), "utf8")) as T;
}

/** One Huawei SDK-HMAC-SHA256 request and what signing it must produce. */
export interface HuaweiVector {
  name: string;
  method: string;
  url: string;
  body: string;
  headers: Record<string, string>;
  canonicalRequest: string;
  canonicalRequestSha256: string;
  stringToSign: string;
}

/** huawei-signing-vectors.json. */
export interface HuaweiVectorFile {
  projectId: string;
  ak: string;
  sk: string;
  xSdkDate: string;
  vectors: HuaweiVector[];
  /** The example of Huawei's documentation, with its own key pair and the Authorization header it shows. */
  officialDocVector: Omit<HuaweiVector, "name" | "stringToSign"> & { ak: string; sk: string; authorization: string };
}

/** One QingCloud EHPC request and its signature. */
export interface EhpcVector {
  name: string;
  body: string | null;
  bodyMd5: string;
  stringToSign: string;
  signatureBase64: string;
  signatureOnWire: string;
  url: string;
}

/** qingcloud-ehpc-signing-vectors.json. */
export interface EhpcVectorFile {
  accessKeyId: string;
  secretAccessKey: string;
  timestamp: string;
  vectors: EhpcVector[];
}
