export * from "./types";
export * from "./validate";
export * from "./specError";
export { toJsonSchema } from "./jsonSchema";
export { normaliseSpec } from "./normalise";
export { CDM_FOLDER_MESSAGE, CONSENT_MESSAGE } from "./rules";
