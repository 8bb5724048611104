export * from "./grants";
export * from "./roles";
export * from "./deterministicGuid";
export * from "./lakeLayout";
export * from "./typeMapping";
export * from "./sqlQuote";
export * from "./sqlStatement";
export * from "./manifest";
