export { CHORD_DEFAULTS, type ChordComponents, ChordNode, type ChordOptions } from "./chord-node";
export { type LookupResult, type NodeRef, type Ring, RingUnavailable } from "./ring";
export { RoutingTable } from "./routing-table";
