// A small stand-in for the Pulumi engine: holds state per URN and drives the real provider host through
// Check → Diff → Create / Update / Replace, Delete and Read, with the secret handling the engine applies.
//
// What it follows (pulumi/pulumi sdk/go/common/resource/plugin/provider_plugin.go and the step generator):
// - Configure once, first, with the stack config (namespaced keys; secret ones sent wrapped). The host answers
//   `acceptSecrets: false`, so every later request carries secrets in plain text (`stripSecrets`), and results
//   are re-marked with `annotateSecrets`: an output is secret only if the input of the same name (recursively for
//   objects) contained a secret, or it is listed in `additionalSecretOutputs`.
// - Check gets the old *inputs*; Diff, Update and Delete get the old *outputs* (plus old inputs); Read gets both.
// - A provider that answers DIFF_UNKNOWN (no `diff`, or `changes: undefined`) is diffed by comparing old and new
//   inputs, `__provider` included: any change to the provider text is then an update.
// - Replacement re-runs Check with no olds, then creates the new resource before deleting the old one, unless the
//   diff or the resource options ask for delete-before-replace. A replaced resource whose delete fails stays in
//   state marked `delete: true` and is retried at the start of the next `up` (and by `destroy`).
// - A create/update error carrying `ErrorResourceInitFailed` keeps the resource in state with the partial outputs
//   (`initErrors` set); any other failed step leaves the previous state. `up` stops at the first failed step.
// - A failed Delete leaves the resource in state with its old outputs.
//
// What it cannot show: persisted state files (checkpoint format, encryption of secrets, `pulumi stack export`),
// dependency ordering (steps run one at a time in registration order, deletes in reverse registration order;
// no parallelism), `protect` and `retainOnDelete` (deleting such a resource throws HarnessLimitError here instead of
// doing what the engine does), `ignoreChanges` beyond top-level keys, `replaceOnChanges`, aliases, imports,
// component resources, explicit provider resources, stack outputs, policy packs, and preview (no unknowns, no
// `preview: true` requests).
import { isDeepStrictEqual } from "node:util";
import { annotateSecrets, markAdditionalSecrets, stripSecrets } from "./engine-secrets";
import { CheckFailedError, HarnessLimitError, type StateResource, type Step, StepError, StepErrors, type StepOp } from "./engine-steps";
import { dynamicResources, type ProgramRun, type RegisteredResourceOptions } from "./program";
import { ProviderCallError, type Props, type ProviderHost } from "./provider-host";

export { annotateSecrets, containsSecrets, isSecret, stripSecrets } from "./engine-secrets";
export { CheckFailedError, HarnessLimitError, type StateResource, type Step, StepError, StepErrors, type StepOp } from "./engine-steps";

/**
 * How to start a Stack. Configure is sent once per Stack, with the config of the first `up` (or `config`): like the
 * host, which configures a provider once per process, a new config needs a new host (each CLI run starts one).
 */
export interface StackOptions {
  /** Stack config for Configure when no run supplies it (destroy/refresh of saved state). Namespaced keys. */
  config?: Record<string, string>;
  secretKeys?: string[];
  /** Start from saved state, as a later `pulumi destroy` would (e.g. with a fresh host). */
  state?: StateResource[];
  /** Set false if the test already called `host.configure`. */
  configure?: boolean;
}

/**
 * A stack's state and the engine's steps over it. `up(run)` applies a program run, `destroy()` deletes everything
 * (continuing past failures, then throwing them all), `refresh()` reads every resource back.
 */
export class Stack {
  /** Every step taken, in order, failed ones included. */
  readonly steps: Step[] = [];
  private entries: StateResource[];
  private configured: boolean;
  private config: Record<string, string>;
  private secretKeys: string[];

  constructor(readonly host: ProviderHost, opts: StackOptions = {}) {
    this.entries = structuredClone(opts.state ?? []);
    this.configured = opts.configure === false;
    this.config = opts.config ?? {};
    this.secretKeys = opts.secretKeys ?? [];
  }

  /** A deep copy of the state, in creation order. */
  state(): StateResource[] {
    return structuredClone(this.entries);
  }

  /** The live (not pending-delete) resource with this name or URN. */
  resource(nameOrUrn: string): StateResource | undefined {
    const found = this.entries.find((e) => !e.delete && (e.urn === nameOrUrn || e.name === nameOrUrn));
    return found && structuredClone(found);
  }

  /** Applies a program run: the steps `pulumi up` would take for its dynamic resources. Returns this run's steps. */
  async up(run: ProgramRun): Promise<Step[]> {
    const first = this.steps.length;
    this.config = run.config;
    this.secretKeys = run.secretKeys;
    await this.ensureConfigured();

    for (const pending of this.entries.filter((e) => e.delete)) {
      await this.deleteEntry(pending, "delete-replaced");
    }

    const registered = dynamicResources(run);
    const seen = new Set<string>();
    for (const res of registered) {
      seen.add(res.urn);
      const old = this.live(res.urn);
      let news = res.inputs;
      if (old && res.opts?.ignoreChanges?.length) {
        news = { ...news };
        for (const key of res.opts.ignoreChanges) {
          if (key in old.inputs) news[key] = old.inputs[key];
          else delete news[key];
        }
      }
      const checked = await this.check(res.urn, old?.inputs ?? {}, news);
      const base = { urn: res.urn, type: res.type, name: res.name, opts: res.opts };
      if (!old) {
        await this.create(base, checked, "create");
        continue;
      }
      const diff = await this.run("diff", res.urn, old.id, () =>
        this.host.diff(old.id, res.urn, stripSecrets(old.outputs), stripSecrets(checked), {
          oldInputs: stripSecrets(old.inputs),
          ignoreChanges: res.opts?.ignoreChanges,
        }),
      );
      const changes = diff.changes ?? !isDeepStrictEqual(stripSecrets(old.inputs), stripSecrets(checked));
      if (!changes) {
        old.inputs = checked;
        old.opts = res.opts;
        this.steps.push({ op: "same", urn: res.urn, id: old.id });
      } else if (diff.replaces.length > 0) {
        await this.replace(old, base, news, diff.deleteBeforeReplace || res.opts?.deleteBeforeReplace === true);
      } else {
        await this.update(old, checked, res.opts);
      }
    }

    const gone = this.entries.filter((e) => !e.delete && !seen.has(e.urn)).reverse();
    for (const entry of gone) {
      await this.deleteEntry(entry, "delete");
    }
    return this.steps.slice(first);
  }

  /**
   * Deletes every resource, newest first. A failed Delete leaves the resource in state with its old outputs; the
   * others are still attempted (like `pulumi destroy --continue-on-error`; without it the CLI stops scheduling new
   * deletes after the first failure) and the failures are thrown together as StepErrors.
   */
  async destroy(opts: { continueOnError?: boolean } = {}): Promise<Step[]> {
    const first = this.steps.length;
    await this.ensureConfigured();
    const errors: StepError[] = [];
    for (const entry of [...this.entries].reverse()) {
      try {
        await this.deleteEntry(entry, entry.delete ? "delete-replaced" : "delete");
      } catch (err) {
        if (!(err instanceof StepError)) throw err;
        errors.push(err);
        if (opts.continueOnError === false) break;
      }
    }
    if (errors.length > 0) throw new StepErrors(errors);
    return this.steps.slice(first);
  }

  /** Reads every live resource back: new outputs (and inputs, if the provider returns them); no id = gone. */
  async refresh(): Promise<Step[]> {
    const first = this.steps.length;
    await this.ensureConfigured();
    for (const entry of this.entries.filter((e) => !e.delete)) {
      const result = await this.run("refresh", entry.urn, entry.id, () =>
        this.host.read(entry.id, entry.urn, stripSecrets(entry.outputs), stripSecrets(entry.inputs)),
      );
      if (!result.id) {
        this.entries = this.entries.filter((e) => e !== entry);
        this.steps.push({ op: "refresh-gone", urn: entry.urn, id: entry.id });
        continue;
      }
      entry.id = result.id;
      entry.outputs = markAdditionalSecrets(annotateSecrets(result.properties, entry.outputs), entry.opts?.additionalSecretOutputs);
      if (result.inputs) entry.inputs = annotateSecrets(result.inputs, entry.inputs);
      this.steps.push({ op: "refresh", urn: entry.urn, id: entry.id });
    }
    return this.steps.slice(first);
  }

  // --- steps ---------------------------------------------------------------------------------------------

  private live(resourceUrn: string): StateResource | undefined {
    return this.entries.find((e) => e.urn === resourceUrn && !e.delete);
  }

  private async ensureConfigured(): Promise<void> {
    if (this.configured) return;
    await this.host.configure(this.config, { secretKeys: this.secretKeys });
    this.configured = true;
  }

  private async check(resourceUrn: string, olds: Props, news: Props): Promise<Props> {
    const result = await this.run("check", resourceUrn, undefined, () =>
      this.host.check(resourceUrn, stripSecrets(olds), stripSecrets(news)),
    );
    if (result.failures.length > 0) {
      const err = new CheckFailedError(resourceUrn, result.failures);
      this.steps.push({ op: "check", urn: resourceUrn, error: err.message });
      throw err;
    }
    return annotateSecrets(result.inputs, news);
  }

  private async create(
    base: Pick<StateResource, "urn" | "type" | "name" | "opts">,
    checked: Props,
    op: "create" | "create-replacement",
    replacing?: StateResource,
  ): Promise<void> {
    const secretOutputs = base.opts?.additionalSecretOutputs;
    // A replacement goes just before the resource it replaces (which is then marked for deletion).
    const place = (entry: StateResource): void => {
      const at = replacing ? this.entries.indexOf(replacing) : -1;
      if (at >= 0) {
        this.entries.splice(at, 0, entry);
        replacing!.delete = true;
      } else {
        this.entries.push(entry);
      }
    };
    try {
      const { id, properties } = await this.host.create(base.urn, stripSecrets(checked));
      place({ ...base, id, inputs: checked, outputs: markAdditionalSecrets(annotateSecrets(properties, checked), secretOutputs) });
      this.steps.push({ op, urn: base.urn, id });
    } catch (err) {
      const partial = err instanceof ProviderCallError ? err.partial : undefined;
      if (partial) {
        const outputs = markAdditionalSecrets(annotateSecrets(partial.properties, checked), secretOutputs);
        place({ ...base, id: partial.id, inputs: checked, outputs, initErrors: partial.reasons });
      }
      throw this.failed(op, base.urn, partial?.id, err);
    }
  }

  private async update(old: StateResource, checked: Props, opts: RegisteredResourceOptions | undefined): Promise<void> {
    const secretOutputs = opts?.additionalSecretOutputs;
    try {
      const { properties } = await this.host.update(old.id, old.urn, stripSecrets(old.outputs), stripSecrets(checked), {
        oldInputs: stripSecrets(old.inputs),
      });
      old.inputs = checked;
      old.outputs = markAdditionalSecrets(annotateSecrets(properties, checked), secretOutputs);
      old.opts = opts;
      delete old.initErrors;
      this.steps.push({ op: "update", urn: old.urn, id: old.id });
    } catch (err) {
      const partial = err instanceof ProviderCallError ? err.partial : undefined;
      if (partial) {
        old.inputs = checked;
        old.outputs = markAdditionalSecrets(annotateSecrets(partial.properties, checked), secretOutputs);
        old.initErrors = partial.reasons;
      }
      throw this.failed("update", old.urn, old.id, err);
    }
  }

  private async replace(
    old: StateResource,
    base: Pick<StateResource, "urn" | "type" | "name" | "opts">,
    news: Props,
    deleteBeforeReplace: boolean,
  ): Promise<void> {
    // The engine re-checks with no olds so defaults are computed afresh for the new resource.
    const checked = await this.check(base.urn, {}, news);
    this.steps.push({ op: "replace", urn: base.urn, id: old.id });
    if (deleteBeforeReplace) {
      await this.deleteEntry(old, "delete-replaced");
      await this.create(base, checked, "create-replacement");
      return;
    }
    await this.create(base, checked, "create-replacement", old);
    await this.deleteEntry(old, "delete-replaced");
  }

  private async deleteEntry(entry: StateResource, op: "delete" | "delete-replaced"): Promise<void> {
    if (entry.opts?.protect || entry.opts?.retainOnDelete) {
      throw new HarnessLimitError(
        `${entry.urn} has ${entry.opts.protect ? "protect" : "retainOnDelete"}: the engine would ${entry.opts.protect ? "refuse to delete it" : "drop it from state without calling Delete"}; this harness does not model that`,
      );
    }
    await this.run(op, entry.urn, entry.id, () =>
      this.host.delete(entry.id, entry.urn, stripSecrets(entry.outputs), { oldInputs: stripSecrets(entry.inputs) }),
    );
    this.entries = this.entries.filter((e) => e !== entry);
    this.steps.push({ op, urn: entry.urn, id: entry.id });
  }

  /** Runs one provider call; on failure records the step and throws a StepError. */
  private async run<T>(op: StepOp, resourceUrn: string, id: string | undefined, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw this.failed(op, resourceUrn, id, err);
    }
  }

  private failed(op: StepOp, resourceUrn: string, id: string | undefined, err: unknown): StepError {
    if (err instanceof StepError) return err;
    const stepError = new StepError(op, resourceUrn, err);
    this.steps.push({ op, urn: resourceUrn, ...(id ? { id } : {}), error: stepError.message });
    return stepError;
  }
}
