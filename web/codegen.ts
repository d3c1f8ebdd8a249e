import type { CodegenConfig } from "@graphql-codegen/cli";

// Types and typed documents from the service's own schema: nothing here is written by hand.
const config: CodegenConfig = {
  schema: "../schema.graphql",
  documents: ["src/**/*.{ts,tsx}", "!src/gql/**/*"],
  ignoreNoDocuments: false,
  generates: {
    "./src/gql/": {
      preset: "client",
      config: {
        documentMode: "string",
        enumsAsTypes: true,
        useTypeImports: true,
        scalars: { DateTime: "string" },
      },
      presetConfig: { fragmentMasking: false },
    },
  },
};

export default config;
