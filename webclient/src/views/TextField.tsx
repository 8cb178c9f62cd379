/** A labelled one-line input whose value the caller holds. */
export function TextField({
  id,
  label,
  value,
  onValue,
  secret = false,
  autocomplete,
  maxLength,
  placeholder,
}: {
  id: string;
  label: string;
  value: string;
  onValue: (value: string) => void;
  /** A password: hidden as it is typed. */
  secret?: boolean;
  autocomplete?: string;
  maxLength?: number;
  placeholder?: string;
}) {
  const input = {
    id,
    autocomplete,
    maxLength,
    placeholder,
    value,
    onInput: (e: { currentTarget: HTMLInputElement }) => onValue(e.currentTarget.value),
  };
  return (
    <>
      <label for={id}>{label}</label>
      {secret ? <input type="password" {...input} /> : <input {...input} />}
    </>
  );
}
