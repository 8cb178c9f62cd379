/**
 * Writes lib/test/body-vectors.json: message bodies (docs/protocol.md "Message bodies") as exact
 * UTF-8 JSON with what they decode to, signed group states with their hashes and group id, and
 * checksummed address links. Identities are vectors.json's alice, bob and carol.
 * Run: npx tsx lib/test/make-body-vectors.ts
 */
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import {
  addressFragment,
  createGroup,
  decodeBody,
  fromHex,
  type GroupState,
  groupIdOf,
  identityFromSeed,
  signGroupState,
  stateHash,
  utf8,
} from "../src/index";

const vectors = JSON.parse(readFileSync(fileURLToPath(new URL("./vectors.json", import.meta.url)), "utf8"));
const seedOf = (name: string) =>
  fromHex(vectors.identities.find((i: { name: string }) => i.name === name).seed);
const [alice, bob, carol] = ["alice", "bob", "carol"].map((n) => identityFromSeed(seedOf(n)));

const ID_A = "AAECAwQFBgcICQoLDA0ODw";
const ID_B = "EBESExQVFhcYGRobHB0eHw";
const AVATAR = "data:image/png;base64,iVBORw0KGgo=";

const valid = [
  '{"type":"text","text":"hi","sentAt":1764547200000}',
  `{"type":"text","text":"Yes!","sentAt":1764547200001,"reply":{"id":"${ID_A}","snippet":"Coming tonight?"}}`,
  `{"type":"text","text":"Hello group","sentAt":1764547200002,"group":"${ID_B}","mid":"${ID_A}"}`,
  `{"type":"text","text":"Still on?","sentAt":1764547200007,"group":"${ID_B}","mid":"${ID_A}","head":"${"A".repeat(43)}"}`,
  `{"type":"receipt","ids":["${ID_A}","${ID_B}"]}`,
  `{"type":"read","ids":["${ID_A}"]}`,
  '{"type":"profile","name":"Alice","updatedAt":1764547200000}',
  `{"type":"profile","name":"Alice","avatar":"${AVATAR}","updatedAt":1764547200000}`,
  `{"type":"reaction","id":"${ID_A}","emoji":"👍","sentAt":1764547200003}`,
  `{"type":"reaction","id":"${ID_A}","emoji":"","sentAt":1764547200004,"group":"${ID_B}"}`,
  `{"type":"delete","ids":["${ID_A}"],"sentAt":1764547200005}`,
  `{"type":"delete","ids":["${ID_A}"],"sentAt":1764547200006,"group":"${ID_B}"}`,
];
const unknown: { body: string; problem: string }[] = [
  { body: '{"type":"sticker","url":"x"}', problem: "a type this version does not know" },
  { body: '{"type":"text","text":"hi","sentAt":-1}', problem: "sentAt is negative" },
  { body: '{"type":"text","text":"hi","sentAt":1.5}', problem: "sentAt is not an integer" },
  {
    body: '{"type":"text","text":"hi","sentAt":1,"reply":{"id":"short","snippet":"x"}}',
    problem: "reply id is not 16 bytes",
  },
  {
    body: `{"type":"text","text":"hi","sentAt":1,"reply":{"id":"${ID_A}","snippet":"${"x".repeat(161)}"}}`,
    problem: "snippet over 160 characters",
  },
  { body: `{"type":"text","text":"hi","sentAt":1,"group":"${ID_B}"}`, problem: "group without mid" },
  { body: `{"type":"profile","name":"${"n".repeat(65)}","updatedAt":1}`, problem: "name over 64 characters" },
  {
    body: `{"type":"text","text":"hi","sentAt":1,"group":"${ID_B}","mid":"${ID_A}","head":"short"}`,
    problem: "head is not 32 bytes",
  },
  {
    body: '{"type":"profile","name":"A","avatar":"https://example.com/a.png","updatedAt":1}',
    problem: "avatar is not a data: URL of an image",
  },
  {
    body: `{"type":"reaction","id":"${ID_A}","emoji":"${"x".repeat(33)}","sentAt":1}`,
    problem: "emoji over 32 UTF-16 units",
  },
  { body: `{"type":"delete","ids":"${ID_A}","sentAt":1}`, problem: "ids is not a list" },
  { body: `{"type":"group","gid":"${ID_B}","changes":[]}`, problem: "a group body without changes" },
];

const at = 1_764_547_200_000;
const { gid, signed: genesis } = createGroup(alice, "Hiking", [bob.address], at, fromHex("00".repeat(16)));
const renamed: GroupState = {
  v: 2,
  prev: stateHash(genesis),
  by: alice.address,
  name: "Hiking club",
  members: [alice.address, bob.address, carol.address],
  admins: [alice.address],
  at: at + 1,
};
const second = signGroupState(alice, renamed);
const left = signGroupState(bob, {
  ...renamed,
  v: 3,
  prev: stateHash(second),
  by: bob.address,
  members: [alice.address, carol.address],
  at: at + 2,
});
const groupBody = `{"type":"group","gid":"${gid}","changes":${JSON.stringify([genesis, second, left])}}`;
valid.push(groupBody);

const out = {
  description:
    'Wisp message bodies and groups (docs/protocol.md). bodies: exact UTF-8 JSON and its decoded value; unknown: bodies a client must treat as an unknown type; group: signed states (sig = Ed25519 over utf8("wisp/group/v1") || utf8(state)), hash = b64u(SHA-256(utf8("wisp/group/v1") || utf8(state))), gid = b64u(first 16 bytes of the first state\'s hash); links: #add= fragments with checksum.',
  bodies: valid.map((body) => ({ body, decoded: decodeBody(utf8(body)) })),
  unknown,
  group: {
    gid,
    states: [genesis, second, left].map((s, i) => ({
      signer: ["alice", "alice", "bob"][i],
      ...s,
      hash: stateHash(s),
    })),
    head: stateHash(left),
    genesisGid: groupIdOf(genesis),
  },
  links: [alice, bob, carol].map((id) => ({ address: id.address, fragment: addressFragment(id.address) })),
};
writeFileSync(
  fileURLToPath(new URL("./body-vectors.json", import.meta.url)),
  `${JSON.stringify(out, null, 2)}\n`,
);
