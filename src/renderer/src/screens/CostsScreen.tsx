import { ComingLater } from '../components/ComingLater';

export function CostsScreen() {
  return (
    <ComingLater
      purpose="What each session spends, in tokens and money, against its budget — arrives with cost tracking (issue #15)."
      today="No agent runs yet, so there is nothing to count."
    />
  );
}
