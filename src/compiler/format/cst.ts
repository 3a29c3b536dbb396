/** Small helpers over Chevrotain's CST, whose children are grouped by name rather than ordered. */
import type { CstNode, IToken } from "chevrotain";
import * as T from "../../../grammar/tokens.js";

export type Node = CstNode | IToken;

export function isToken(node: Node): node is IToken {
  return (node as IToken).tokenType !== undefined;
}

export function startOf(node: Node): number {
  return isToken(node) ? node.startOffset : (node.location?.startOffset ?? Number.NaN);
}

/** A node's children, tokens and nodes together, in source order. */
export function children(node: CstNode): Node[] {
  const all: Node[] = [];
  for (const list of Object.values(node.children)) if (list !== undefined) all.push(...list);
  return all.sort((a, b) => startOf(a) - startOf(b));
}

export function childNodes(node: CstNode): CstNode[] {
  return children(node).filter((n): n is CstNode => !isToken(n));
}

/**
 * Separators the formatter writes itself (commas in lists, optional `;`), so comments never
 * attach to them: a comment next to a comma stays next to the item it follows or precedes.
 */
export function isSeparator(token: IToken): boolean {
  return token.tokenType === T.Comma || token.tokenType === T.Semicolon;
}

/** Every node of the tree in pre-order (parents before children). */
export function preorder(root: CstNode): CstNode[] {
  const out: CstNode[] = [];
  const visit = (node: CstNode): void => {
    out.push(node);
    for (const child of childNodes(node)) visit(child);
  };
  visit(root);
  return out;
}

/** Every token of the tree in source order. */
export function tokensOf(root: CstNode): IToken[] {
  const out: IToken[] = [];
  const visit = (node: CstNode): void => {
    for (const child of children(node)) {
      if (isToken(child)) out.push(child);
      else visit(child);
    }
  };
  visit(root);
  return out;
}

/** The first child token of a given type. */
export function token(node: CstNode, key: string): IToken | undefined {
  const list = node.children[key];
  const first = list?.[0];
  return first !== undefined && isToken(first) ? first : undefined;
}

export function node(parent: CstNode, key: string, index = 0): CstNode | undefined {
  const found = parent.children[key]?.[index];
  return found !== undefined && !isToken(found) ? found : undefined;
}

export function nodes(parent: CstNode, key: string): CstNode[] {
  return (parent.children[key] ?? []).filter((n): n is CstNode => !isToken(n));
}
