/**
 * PostgreSQL's text cannot hold the NUL character (U+0000); SQLite's can. The app never means one
 * (feeds and pages drop control characters anyway), so on PostgreSQL every string a query sends
 * loses its NULs instead of failing the whole write.
 */
import type { KyselyPlugin, PluginTransformQueryArgs, PluginTransformResultArgs, PrimitiveValueListNode, QueryResult, RootOperationNode, UnknownRow, ValueNode } from 'kysely';
import { OperationNodeTransformer } from '../kysely.ts';

const NUL_RE = /\u0000/g;
const clean = (v: unknown): unknown => (typeof v === 'string' && v.includes('\u0000') ? v.replace(NUL_RE, '') : v);

class StripNul extends OperationNodeTransformer {
  protected override transformValue(node: ValueNode): ValueNode {
    const value = clean(node.value);
    return value === node.value ? node : { ...node, value };
  }

  protected override transformPrimitiveValueList(node: PrimitiveValueListNode): PrimitiveValueListNode {
    return node.values.some((v) => typeof v === 'string' && v.includes('\u0000')) ? { ...node, values: node.values.map(clean) } : node;
  }
}

export class StripNulPlugin implements KyselyPlugin {
  private readonly transformer = new StripNul();

  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    return this.transformer.transformNode(args.node, args.queryId);
  }

  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return args.result;
  }
}
