import ts from 'typescript';

/** The DynamoDB request fields that hold expressions: values belong in `:placeholders` beside them. */
export const EXPRESSION_FIELDS: ReadonlySet<string> = new Set([
  'KeyConditionExpression',
  'FilterExpression',
  'UpdateExpression',
  'ConditionExpression',
  'ProjectionExpression',
]);

export interface ExpressionFinding {
  readonly file: string;
  readonly line: number;
  readonly field: string;
  readonly problem: string;
}

export interface ExpressionAudit {
  /** Expression fields found and followed. */
  readonly checked: number;
  readonly findings: readonly ExpressionFinding[];
}

/** A map callback's index, allowed only as the numeric suffix of a `#name` or `:value` placeholder. */
const PLACEHOLDER_PREFIX = /[#:][A-Za-z0-9_]*$/;

/**
 * Follows every expression field of the given sources back to where its text comes from, within
 * its file: string literals, templates and `+` of such, conditionals, local constants, properties of
 * local object literals, returns of local functions, arguments at every call of a local function,
 * and placeholder lists (`xs.map((_, i) => \`#f${i} = :v${i}\`).join(', ')`). Anything else (a
 * parameter from elsewhere, an import, a value read at run time) is a finding: a value must reach
 * DynamoDB as an expression attribute value, never inside the expression.
 */
export function auditExpressions(sources: ReadonlyMap<string, string>): ExpressionAudit {
  const options: ts.CompilerOptions = { noResolve: true, noLib: true, target: ts.ScriptTarget.ES2022 };
  const host = ts.createCompilerHost(options);
  host.getSourceFile = (name, version) => {
    const text = sources.get(name);
    return text === undefined ? undefined : ts.createSourceFile(name, text, version, true);
  };
  host.fileExists = (name) => sources.has(name);
  host.readFile = (name) => sources.get(name);
  const program = ts.createProgram([...sources.keys()], options, host);
  const checker = program.getTypeChecker();

  let checked = 0;
  const findings: ExpressionFinding[] = [];
  for (const sourceFile of program.getSourceFiles()) {
    const origins = new Origins(checker, sourceFile);
    const visit = (node: ts.Node): void => {
      const field = expressionField(node);
      if (field) {
        checked += 1;
        const value = ts.isShorthandPropertyAssignment(node) ? node.name : field.initializer;
        for (const problem of origins.problems(value, new Set())) {
          findings.push({
            file: sourceFile.fileName,
            line: sourceFile.getLineAndCharacterOfPosition(node.getStart()).line + 1,
            field: field.name,
            problem,
          });
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(sourceFile);
  }
  return { checked, findings };
}

function expressionField(node: ts.Node): { name: string; initializer: ts.Expression } | undefined {
  if (!ts.isPropertyAssignment(node) && !ts.isShorthandPropertyAssignment(node)) return undefined;
  const name = ts.isIdentifier(node.name) || ts.isStringLiteral(node.name) ? node.name.text : undefined;
  if (name === undefined || !EXPRESSION_FIELDS.has(name)) return undefined;
  return { name, initializer: ts.isPropertyAssignment(node) ? node.initializer : node.name };
}

type IndexParameters = ReadonlySet<ts.Symbol>;

class Origins {
  /** Nodes being followed: a cycle (a recursive helper) is judged by its other paths. */
  private readonly following = new Set<ts.Node>();

  constructor(
    private readonly checker: ts.TypeChecker,
    private readonly sourceFile: ts.SourceFile,
  ) {}

  problems(node: ts.Expression, indexes: IndexParameters): string[] {
    if (this.following.has(node)) return [];
    this.following.add(node);
    try {
      return this.judge(node, indexes);
    } finally {
      this.following.delete(node);
    }
  }

  private judge(node: ts.Expression, indexes: IndexParameters): string[] {
    if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return [];
    if (
      ts.isParenthesizedExpression(node) ||
      ts.isAsExpression(node) ||
      ts.isSatisfiesExpression(node) ||
      ts.isNonNullExpression(node)
    ) {
      return this.problems(node.expression, indexes);
    }
    if (ts.isConditionalExpression(node)) {
      return [...this.problems(node.whenTrue, indexes), ...this.problems(node.whenFalse, indexes)];
    }
    if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.PlusToken) {
      return [...this.problems(node.left, indexes), ...this.problems(node.right, indexes)];
    }
    if (ts.isTemplateExpression(node)) return this.templateProblems(node, indexes);
    if (ts.isCallExpression(node)) return this.callProblems(node, indexes);
    if (ts.isIdentifier(node)) return this.identifierProblems(node, indexes);
    if (ts.isPropertyAccessExpression(node)) {
      return this.propertyProblems(node.expression, node.name.text, indexes);
    }
    return [`${this.text(node)} is not text the code spells out`];
  }

  private templateProblems(node: ts.TemplateExpression, indexes: IndexParameters): string[] {
    return node.templateSpans.flatMap((span, position) => {
      const before = position === 0 ? node.head.text : (node.templateSpans[position - 1]?.literal.text ?? '');
      const symbol = ts.isIdentifier(span.expression)
        ? this.checker.getSymbolAtLocation(span.expression)
        : undefined;
      if (symbol && indexes.has(symbol) && PLACEHOLDER_PREFIX.test(before)) return [];
      return this.problems(span.expression, indexes);
    });
  }

  private callProblems(node: ts.CallExpression, indexes: IndexParameters): string[] {
    const placeholderList = this.placeholderList(node);
    if (placeholderList) {
      const { callback, separator } = placeholderList;
      const index = callback.parameters[1];
      const indexSymbol =
        index && ts.isIdentifier(index.name) ? this.checker.getSymbolAtLocation(index.name) : undefined;
      const inner = new Set(indexes);
      if (indexSymbol) inner.add(indexSymbol);
      return [
        ...(separator ? this.problems(separator, indexes) : []),
        ...this.returnedBy(callback).flatMap((returned) => this.problems(returned, inner)),
      ];
    }
    const callee = this.localFunction(node.expression);
    if (callee) return this.returnedBy(callee).flatMap((returned) => this.problems(returned, indexes));
    return [`${this.text(node)} returns text from elsewhere`];
  }

  /** `xs.map(callback).join(separator)`, the shape of a placeholder list. */
  private placeholderList(
    node: ts.CallExpression,
  ): { callback: ts.ArrowFunction | ts.FunctionExpression; separator?: ts.Expression } | undefined {
    const join = node.expression;
    if (!ts.isPropertyAccessExpression(join) || join.name.text !== 'join') return undefined;
    const map = join.expression;
    if (!ts.isCallExpression(map) || !ts.isPropertyAccessExpression(map.expression)) return undefined;
    if (map.expression.name.text !== 'map') return undefined;
    const callback = map.arguments[0];
    if (!callback || !(ts.isArrowFunction(callback) || ts.isFunctionExpression(callback))) return undefined;
    return { callback, ...(node.arguments[0] ? { separator: node.arguments[0] } : {}) };
  }

  private identifierProblems(node: ts.Identifier, indexes: IndexParameters): string[] {
    const symbol = this.checker.getSymbolAtLocation(node);
    if (symbol && indexes.has(symbol)) return [`the index ${node.text} outside a placeholder name`];
    const declaration = symbol?.valueDeclaration ?? symbol?.declarations?.[0];
    if (!declaration || declaration.getSourceFile() !== this.sourceFile) {
      return [`${node.text} comes from outside this file`];
    }
    if (ts.isVariableDeclaration(declaration)) {
      if (!isConst(declaration)) return [`${node.text} is not a constant`];
      if (!declaration.initializer) return [`${node.text} has no value here`];
      return this.problems(declaration.initializer, indexes);
    }
    if (ts.isBindingElement(declaration)) return this.bindingProblems(declaration, indexes);
    if (ts.isParameter(declaration)) return this.parameterProblems(declaration, indexes);
    if (ts.isShorthandPropertyAssignment(declaration)) return this.problems(declaration.name, indexes);
    return [`${node.text} is not a constant`];
  }

  /** `const { set } = setAll(item)`: the property `set` of what the initializer gives. */
  private bindingProblems(element: ts.BindingElement, indexes: IndexParameters): string[] {
    const pattern = element.parent;
    const declaration = pattern.parent;
    const property = element.propertyName ?? element.name;
    if (
      !ts.isObjectBindingPattern(pattern) ||
      !ts.isVariableDeclaration(declaration) ||
      !isConst(declaration) ||
      !declaration.initializer ||
      !ts.isIdentifier(property)
    ) {
      return [`${element.getText()} is not a constant's property`];
    }
    return this.propertyProblems(declaration.initializer, property.text, indexes);
  }

  /** A local function's parameter: judged at every call of that function in the file. */
  private parameterProblems(parameter: ts.ParameterDeclaration, indexes: IndexParameters): string[] {
    const owner = parameter.parent;
    const position = owner.parameters.indexOf(parameter);
    const name = functionName(owner);
    if (name === undefined) return [`${parameter.name.getText()} is a parameter of an anonymous function`];
    const ownerSymbol = this.checker.getSymbolAtLocation(name);
    const calls: ts.CallExpression[] = [];
    const visit = (node: ts.Node): void => {
      if (
        ts.isCallExpression(node) &&
        ts.isIdentifier(node.expression) &&
        this.checker.getSymbolAtLocation(node.expression) === ownerSymbol
      ) {
        calls.push(node);
      }
      ts.forEachChild(node, visit);
    };
    visit(this.sourceFile);
    if (calls.length === 0) return [`${parameter.name.getText()} of ${name.text}, which nothing here calls`];
    return calls.flatMap((call) => {
      const argument = call.arguments[position];
      return argument
        ? this.problems(argument, indexes)
        : [`${name.text} called without ${parameter.name.getText()}`];
    });
  }

  private propertyProblems(owner: ts.Expression, property: string, indexes: IndexParameters): string[] {
    if (ts.isParenthesizedExpression(owner) || ts.isAsExpression(owner) || ts.isSatisfiesExpression(owner)) {
      return this.propertyProblems(owner.expression, property, indexes);
    }
    if (ts.isConditionalExpression(owner)) {
      return [
        ...this.propertyProblems(owner.whenTrue, property, indexes),
        ...this.propertyProblems(owner.whenFalse, property, indexes),
      ];
    }
    if (ts.isObjectLiteralExpression(owner)) {
      const found = owner.properties.find(
        (candidate) =>
          (ts.isPropertyAssignment(candidate) || ts.isShorthandPropertyAssignment(candidate)) &&
          ts.isIdentifier(candidate.name) &&
          candidate.name.text === property,
      );
      if (found && ts.isPropertyAssignment(found)) return this.problems(found.initializer, indexes);
      if (found && ts.isShorthandPropertyAssignment(found)) return this.problems(found.name, indexes);
      return [`no property ${property} spelled out in ${this.text(owner)}`];
    }
    if (ts.isIdentifier(owner)) {
      const symbol = this.checker.getSymbolAtLocation(owner);
      const declaration = symbol?.valueDeclaration;
      if (
        declaration &&
        ts.isVariableDeclaration(declaration) &&
        isConst(declaration) &&
        declaration.initializer
      ) {
        return this.propertyProblems(declaration.initializer, property, indexes);
      }
      return [`${owner.text}.${property} is not a constant's property`];
    }
    if (ts.isCallExpression(owner)) {
      const callee = this.localFunction(owner.expression);
      if (callee) {
        return this.returnedBy(callee).flatMap((returned) =>
          this.propertyProblems(returned, property, indexes),
        );
      }
    }
    return [`${this.text(owner)}.${property} comes from elsewhere`];
  }

  /** A function declared in this file that `callee` names. */
  private localFunction(callee: ts.Expression): ts.SignatureDeclaration | undefined {
    if (!ts.isIdentifier(callee)) return undefined;
    const declaration = this.checker.getSymbolAtLocation(callee)?.valueDeclaration;
    if (!declaration || declaration.getSourceFile() !== this.sourceFile) return undefined;
    if (ts.isFunctionDeclaration(declaration)) return declaration;
    if (ts.isVariableDeclaration(declaration) && isConst(declaration) && declaration.initializer) {
      const value = declaration.initializer;
      if (ts.isArrowFunction(value) || ts.isFunctionExpression(value)) return value;
    }
    return undefined;
  }

  private returnedBy(fn: ts.SignatureDeclaration): ts.Expression[] {
    const body = (fn as ts.FunctionLikeDeclaration).body;
    if (!body) return [];
    if (!ts.isBlock(body)) return [body];
    const returned: ts.Expression[] = [];
    const visit = (node: ts.Node): void => {
      if (ts.isFunctionLike(node)) return;
      if (ts.isReturnStatement(node) && node.expression) returned.push(node.expression);
      ts.forEachChild(node, visit);
    };
    ts.forEachChild(body, visit);
    return returned;
  }

  private text(node: ts.Node): string {
    const text = node.getText(this.sourceFile).replace(/\s+/g, ' ');
    return text.length > 80 ? `${text.slice(0, 77)}...` : text;
  }
}

function isConst(declaration: ts.VariableDeclaration): boolean {
  const list = declaration.parent;
  return ts.isVariableDeclarationList(list) && (list.flags & ts.NodeFlags.Const) !== 0;
}

function functionName(fn: ts.SignatureDeclaration): ts.Identifier | undefined {
  if (ts.isFunctionDeclaration(fn) && fn.name) return fn.name;
  const parent = fn.parent;
  if (
    (ts.isArrowFunction(fn) || ts.isFunctionExpression(fn)) &&
    parent &&
    ts.isVariableDeclaration(parent) &&
    ts.isIdentifier(parent.name)
  ) {
    return parent.name;
  }
  return undefined;
}
