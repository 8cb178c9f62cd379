import { MemoryEntryStore } from "../../src/store/memory-store";
import { entryStoreSuite } from "./entry-store.suite";

entryStoreSuite("MemoryEntryStore", () => new MemoryEntryStore());
