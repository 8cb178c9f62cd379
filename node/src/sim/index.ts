export { randomKey, sample, seededRandom } from "./random";
export { createRing, type RingOptions, type SimNodeContext, type SimRing } from "./ring";
