declare module 'fft.js' {
  type Arr = number[] | Float64Array;
  export default class FFT {
    constructor(size: number);
    readonly size: number;
    transform(out: Arr, data: Arr): void;
    inverseTransform(out: Arr, data: Arr): void;
    createComplexArray(): number[];
  }
}
