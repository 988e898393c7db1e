import { useMutation } from 'urql';
import { ErrorMessage } from '../../components/ErrorMessage.js';
import { UpdateNotificationPreferencesDocument, type NotificationPreferencesInput } from '../../gql/graphql.js';

type Key = keyof NotificationPreferencesInput;
const choices: { key: Key; label: string }[] = [
  { key: 'newProducts', label: 'New products' },
  { key: 'priceDrops', label: 'Price drops' },
  { key: 'backInStock', label: 'Back in stock' },
];

/** Marketing email opt-ins, saved as each box is ticked. */
export function Preferences({ preferences }: { preferences: Record<Key, boolean> }) {
  const [result, update] = useMutation(UpdateNotificationPreferencesDocument);
  const current = result.data?.updateNotificationPreferences ?? preferences;
  return (
    <section aria-labelledby="preferences-heading">
      <h2 id="preferences-heading">Email me about</h2>
      <fieldset className="checkboxes">
        <legend className="visually-hidden">Email me about</legend>
        {choices.map(({ key, label }) => (
          <div className="checkbox" key={key}>
            <input
              type="checkbox"
              id={`pref-${key}`}
              checked={current[key]}
              disabled={result.fetching}
              onChange={(e) => void update({ input: { [key]: e.target.checked } })}
            />
            <label htmlFor={`pref-${key}`}>{label}</label>
          </div>
        ))}
      </fieldset>
      {result.error && <ErrorMessage error={result.error} />}
    </section>
  );
}
