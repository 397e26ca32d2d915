// What an RE2 match of a Buffer carries when its pattern has the `d` flag: `indices`, the byte offsets of the whole
// match and of each group. re2 sets it at run time in the 1.23 series this project holds to (the last to support
// Node 20), but only the type declarations of 1.24 and later name it: the type is stated here, so both compile.
export interface IndexedMatch {
  index: number;
  0: Buffer;
  indices?: RegExpIndicesArray;
}
