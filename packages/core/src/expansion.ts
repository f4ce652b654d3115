// $(VAR) expansion in env values, command and args, exactly as Kubernetes does it.
// kubelet: third_party/forked/golang/expansion (Expand, MappingFuncFor).
//
//   $(VAR)   → the value of VAR if it is defined, else "$(VAR)" unchanged
//   $$(VAR)  → "$(VAR)" (escaped, not expanded)
//   $x, a lone "$" or an unclosed "$(" → kept as written

/** Looks a name up in the given maps in order; an unknown name stays "$(name)". */
export function mappingFor(...contexts: ReadonlyMap<string, string>[]): (name: string) => string {
  return (name) => {
    for (const vars of contexts) {
      const v = vars.get(name);
      if (v !== undefined) return v;
    }
    return `$(${name})`;
  };
}

/** Replaces every variable reference in `input` with `mapping(name)`. */
export function expand(input: string, mapping: (name: string) => string): string {
  let out = "";
  let checkpoint = 0;
  for (let cursor = 0; cursor < input.length; cursor++) {
    if (input[cursor] !== "$" || cursor + 1 >= input.length) continue;
    out += input.slice(checkpoint, cursor);
    const { read, isVar, advance } = readVariableName(input, cursor + 1);
    out += isVar ? mapping(read) : read;
    cursor += advance;
    checkpoint = cursor + 1;
  }
  return out + input.slice(checkpoint);
}

/** What follows a "$" at `start`: a variable name, an escaped "$", or plain text. */
function readVariableName(input: string, start: number): { read: string; isVar: boolean; advance: number } {
  const first = input[start];
  if (first === "$") return { read: "$", isVar: false, advance: 1 };
  if (first === "(") {
    const close = input.indexOf(")", start + 1);
    if (close !== -1) return { read: input.slice(start + 1, close), isVar: true, advance: close - start + 1 };
    // Unclosed reference: keep "$(" and continue after it.
    return { read: "$(", isVar: false, advance: 1 };
  }
  return { read: `$${first ?? ""}`, isVar: false, advance: 1 };
}
