import { useId, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { useMutation, useQuery } from 'urql';
import { ErrorMessage } from '../../components/ErrorMessage.js';
import { Loading } from '../../components/Loading.js';
import { RequireSession } from '../../components/RequireSession.js';
import {
  AdminProductDocument,
  CreateProductDocument,
  UpdateProductDocument,
  type AdminProductFragment,
} from '../../gql/graphql.js';
import { parseMajorUnits, toMajorUnits } from '../../money.js';

const currency = 'EUR';

/** `/admin/products/new` and `/admin/products/:id`: one form for creating and editing a product. */
export default function ProductFormPage() {
  const { id } = useParams();
  return <RequireSession admin>{() => (id ? <EditProduct id={id} /> : <ProductForm />)}</RequireSession>;
}

function EditProduct({ id }: { id: string }) {
  const [{ data, fetching, error }] = useQuery({ query: AdminProductDocument, variables: { id } });
  if (error) return <ErrorMessage error={error} />;
  if (fetching || !data) return <Loading />;
  if (!data.product)
    return (
      <p>
        No product with this id. <Link to="/admin">Back to admin</Link>
      </p>
    );
  return <ProductForm product={data.product} />;
}

function ProductForm({ product }: { product?: AdminProductFragment }) {
  const [values, setValues] = useState({
    name: product?.name ?? '',
    description: product?.description ?? '',
    price: product ? toMajorUnits(product.price) : '',
    stock: String(product?.stock ?? 0),
    category: product?.category ?? '',
  });
  const [priceError, setPriceError] = useState<string | null>(null);
  const [created, create] = useMutation(CreateProductDocument);
  const [updated, update] = useMutation(UpdateProductDocument);
  const navigate = useNavigate();
  const id = useId();
  const error = created.error ?? updated.error;
  const field = (key: 'name' | 'category', label: string) => (
    <div className="field">
      <label htmlFor={`${id}-${key}`}>{label}</label>
      <input id={`${id}-${key}`} required value={values[key]} onChange={(e) => setValues({ ...values, [key]: e.target.value })} />
    </div>
  );

  return (
    <>
      <h1>{product ? `Edit ${product.name}` : 'New product'}</h1>
      <form
        className="stack"
        aria-describedby={error ? `${id}-error` : undefined}
        onSubmit={(event) => {
          event.preventDefault();
          const amount = parseMajorUnits(values.price, product?.price.currency ?? currency);
          if (amount === null) {
            setPriceError('Enter the price in euros, e.g. 12.50.');
            return;
          }
          setPriceError(null);
          const input = {
            name: values.name.trim(),
            description: values.description,
            category: values.category.trim(),
            stock: Number(values.stock),
            price: { amount, currency: product?.price.currency ?? currency },
          };
          const saved = product
            ? update({ id: product.id, input }).then((r) => r.data?.updateProduct)
            : create({ input }, { additionalTypenames: ['Product'] }).then((r) => r.data?.createProduct);
          void saved.then((p) => {
            if (p) void navigate('/admin');
          });
        }}
      >
        {field('name', 'Name')}
        <div className="field">
          <label htmlFor={`${id}-description`}>Description</label>
          <textarea
            id={`${id}-description`}
            rows={4}
            value={values.description}
            onChange={(e) => setValues({ ...values, description: e.target.value })}
          />
        </div>
        <div className="field">
          <label htmlFor={`${id}-price`}>Price</label>
          <input
            id={`${id}-price`}
            inputMode="decimal"
            required
            aria-invalid={priceError ? true : undefined}
            aria-describedby={`${id}-price-hint`}
            value={values.price}
            onChange={(e) => setValues({ ...values, price: e.target.value })}
          />
          <p className="hint" id={`${id}-price-hint`}>
            {priceError ?? 'In euros, e.g. 12.50.'}
          </p>
        </div>
        <div className="field">
          <label htmlFor={`${id}-stock`}>Stock</label>
          <input
            id={`${id}-stock`}
            type="number"
            inputMode="numeric"
            min={0}
            step={1}
            required
            value={values.stock}
            onChange={(e) => setValues({ ...values, stock: e.target.value })}
          />
        </div>
        {field('category', 'Category')}
        {error && <ErrorMessage id={`${id}-error`} error={error} />}
        <div className="row">
          <button type="submit" className="primary" disabled={created.fetching || updated.fetching}>
            Save
          </button>
          <Link to="/admin">Cancel</Link>
        </div>
      </form>
    </>
  );
}
