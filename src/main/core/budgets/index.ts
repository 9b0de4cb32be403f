/** Budgets: spending limits checked before a model call goes out. See service.ts. */
export {
  BUDGET_SCOPES,
  BudgetService,
  WARN_AT,
  type Admission,
  type BudgetContext,
  type BudgetLimits,
  type BudgetScope,
  type BudgetServiceOptions,
  type ModelCall,
} from './service';
