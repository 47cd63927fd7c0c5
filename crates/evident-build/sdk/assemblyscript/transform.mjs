// An asc transform that gives an Evident component's core module the names wit-component
// expects, which are not AssemblyScript identifiers:
// - exports `evident$<interface>$<function>` become `evident:db/<interface>@<version>#<function>`
//   and `evident$post$<interface>$<function>` become `cabi_post_evident:db/...`, with `_` in
//   the interface and function names made `-` (`state_view_batch$load_state` ->
//   `state-view-batch@0.3.0#load-state`);
// - imports from `evident:db/<interface>` get `@<version>` appended.
// The version is the `evident:db` release the build embeds: the EVIDENT_WIT_VERSION variable.
// With EVIDENT_SDK_LABEL set (e.g. `assemblyscript 0.3.0`), it also writes that label as the
// `evident-sdk-version` custom section `evident inspect` shows.

const EXPORT = /^evident\$(post\$)?([a-z_]+)\$([a-z_]+)$/;
const IMPORT_PACKAGE = "evident:db/";

export default class EvidentNames {
  afterCompile(module) {
    const version = process.env.EVIDENT_WIT_VERSION;
    if (!version || !/^\d+\.\d+\.\d+$/.test(version)) {
      throw new Error("EVIDENT_WIT_VERSION must name the evident:db release (e.g. 0.3.0)");
    }
    const binaryen = this.binaryen;
    const kebab = (name) => name.replace(/_/g, "-");

    const renames = [];
    for (let i = 0; i < module.getNumExports(); i++) {
      const info = binaryen.getExportInfo(module.getExportByIndex(i));
      const match = EXPORT.exec(info.name);
      if (match && info.kind === binaryen.ExternalFunction) {
        const name = `evident:db/${kebab(match[2])}@${version}#${kebab(match[3])}`;
        renames.push([info.name, info.value, match[1] ? `cabi_post_${name}` : name]);
      }
    }
    for (const [external, internal, name] of renames) {
      module.removeExport(external);
      module.addFunctionExport(internal, name);
    }

    const imports = [];
    for (let i = 0; i < module.getNumFunctions(); i++) {
      const info = binaryen.getFunctionInfo(module.getFunctionByIndex(i));
      if (info.module && info.module.startsWith(IMPORT_PACKAGE) && !info.module.includes("@")) {
        imports.push(info);
      }
    }
    for (const info of imports) {
      module.removeFunction(info.name);
      module.addFunctionImport(info.name, `${info.module}@${version}`, info.base, info.params, info.results);
    }

    const label = process.env.EVIDENT_SDK_LABEL;
    if (label) module.addCustomSection("evident-sdk-version", new TextEncoder().encode(label));
  }
}
