/** The browser's Storage: one IndexedDB database with a key-value store, contacts and messages. */
import type { Contact, Message } from "./state";
import type { Storage } from "./storage";

const DB_NAME = "wisp";
const DB_VERSION = 1;
const KV = "kv";
const CONTACTS = "contacts";
const MESSAGES = "messages";

export async function openIndexedDbStorage(): Promise<Storage> {
  const db = await openDb();
  const run = async <T>(
    store: string,
    mode: IDBTransactionMode,
    op: (s: IDBObjectStore) => IDBRequest<T>,
  ) => {
    const tx = db.transaction(store, mode);
    const request = op(tx.objectStore(store));
    await committed(tx, `${mode} on ${store}`);
    return request.result;
  };

  return {
    get: (key) => run(KV, "readonly", (s) => s.get(key)),
    set: async (key, value) => {
      await run(KV, "readwrite", (s) => s.put(value, key));
    },
    loadAll: async () => ({
      contacts: await run<Contact[]>(CONTACTS, "readonly", (s) => s.getAll()),
      messages: await run<Message[]>(MESSAGES, "readonly", (s) => s.getAll()),
    }),
    putContact: async (contact) => {
      await run(CONTACTS, "readwrite", (s) => s.put(contact));
    },
    deleteContact: async (address) => {
      await run(CONTACTS, "readwrite", (s) => s.delete(address));
    },
    putMessage: async (message) => {
      await run(MESSAGES, "readwrite", (s) => s.put(message));
    },
    putMany: async (messages, contacts) => {
      const tx = db.transaction([MESSAGES, CONTACTS], "readwrite");
      const messageStore = tx.objectStore(MESSAGES);
      const contactStore = tx.objectStore(CONTACTS);
      for (const m of messages) messageStore.put(m);
      for (const c of contacts) contactStore.put(c);
      await committed(tx, "write of a batch");
    },
    deleteMessage: async (id) => {
      await run(MESSAGES, "readwrite", (s) => s.delete(id));
    },
    clearHistory: async () => {
      await run(CONTACTS, "readwrite", (s) => s.clear());
      await run(MESSAGES, "readwrite", (s) => s.clear());
    },
  };
}

/** Resolves once `tx` commits; rejects with its error when it fails or is aborted. */
function committed(tx: IDBTransaction, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error ?? new Error(`IndexedDB ${what} failed`));
    tx.onabort = () => reject(tx.error ?? new Error(`IndexedDB ${what} aborted`));
  });
}

function openDb(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(DB_NAME, DB_VERSION);
    request.onupgradeneeded = () => {
      const db = request.result;
      if (!db.objectStoreNames.contains(KV)) db.createObjectStore(KV);
      if (!db.objectStoreNames.contains(CONTACTS)) db.createObjectStore(CONTACTS, { keyPath: "address" });
      if (!db.objectStoreNames.contains(MESSAGES)) db.createObjectStore(MESSAGES, { keyPath: "id" });
    };
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error("cannot open IndexedDB"));
    request.onblocked = () => reject(new Error("IndexedDB is blocked by another tab of an older version"));
  });
}
