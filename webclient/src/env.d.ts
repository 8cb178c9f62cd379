/// <reference types="vite/client" />

interface ImportMetaEnv {
  readonly VITE_WISP_NODE?: string;
}
