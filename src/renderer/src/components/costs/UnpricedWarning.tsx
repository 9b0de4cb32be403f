/** Calls of models the price table does not know: their cost is unknown, never shown as $0. */
import type { CostReport } from '../../../../shared/costs';
import { EscapedText } from '../inbox/EscapedText';
import { formatCalls, formatCount } from './format';
import { priceCommand } from './report';

export function UnpricedWarning({ report }: { report: CostReport }) {
  const { unpricedCalls } = report.totals;
  if (unpricedCalls === 0) return null;
  const models = report.unpricedModels;
  return (
    <div className="costs-warning" role="status" data-testid="costs-unpriced">
      <p>
        <strong>
          {formatCount(unpricedCalls)} {unpricedCalls === 1 ? 'call' : 'calls'} of models without a
          price: their cost is unknown, not $0.
        </strong>{' '}
        The totals count only the priced calls.
      </p>
      {models.length > 0 && (
        <ul className="costs-unpriced-models">
          {models.map((model) => (
            <li key={model.model}>
              <span className="mono">
                <EscapedText text={model.model} />
              </span>{' '}
              <span className="muted">{formatCalls(model.calls)}</span>
            </li>
          ))}
        </ul>
      )}
      <p className="muted">
        To price later calls, add the model to your price table (US dollars per token, LiteLLM’s
        field names; this replaces your whole <code>costs.prices</code>, so keep the prices you set
        before):
      </p>
      <pre className="costs-command">
        <code>{priceCommand(models[0]?.model)}</code>
      </pre>
    </div>
  );
}
