// EJS 7 ships without type declarations; this declares the one function Dropview calls.
declare module 'ejs' {
  export type TemplateFunction = (locals: object) => string;
  export function compile(source: string, options: { filename: string }): TemplateFunction;
  const ejs: { compile: typeof compile };
  export default ejs;
}
