export function ErrorBanner({ text }: { text: string }) {
  return (
    <div className="banner banner-error" role="alert">
      {text}
    </div>
  );
}
