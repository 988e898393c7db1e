import type { NewProduct } from '../catalog/product.repository.js';

// [name, description, price in cents, stock]
const CATALOG: Record<string, [string, string, number, number][]> = {
  kitchen: [
    ['Cast Iron Skillet', 'Pre-seasoned 26 cm skillet that goes from stove to oven.', 3900, 25],
    ['Chef Knife 20 cm', 'Forged stainless steel with a full tang.', 6900, 12],
    ['Walnut Cutting Board', 'End-grain walnut, kind to knife edges.', 4500, 8],
    ['French Press 1 l', 'Borosilicate glass and a steel mesh filter.', 2900, 0],
    ['Enamel Dutch Oven', '5.5 l, for stews, bread and braises.', 11900, 4],
    ['Linen Tea Towels (3)', 'Stonewashed linen, quick to dry.', 1900, 40],
  ],
  garden: [
    ['Pruning Shears', 'Bypass blades for clean cuts on live stems.', 2400, 30],
    ['Galvanized Watering Can', '8 l with a brass rose.', 3400, 6],
    ['Raised Bed Kit', 'Untreated larch, 120 x 60 cm.', 8900, 3],
    ['Herb Seed Collection', 'Basil, parsley, chives, coriander and dill.', 1200, 100],
    ['Kneeling Pad', 'Closed-cell foam that keeps knees dry.', 1500, 0],
    ['Compost Bin 300 l', 'Recycled plastic with an easy-access hatch.', 5900, 10],
  ],
  office: [
    ['Walnut Desk Lamp', 'Warm dimmable LED with a solid walnut arm.', 7900, 9],
    ['Felt Desk Mat', 'Merino wool felt, 80 x 30 cm.', 3500, 22],
    ['Fountain Pen', 'Steel nib, converter included.', 4200, 15],
    ['A5 Dot Grid Notebook', '160 pages of 100 g/m² paper.', 1800, 60],
    ['Monitor Stand', 'Bamboo riser with a drawer.', 4900, 0],
    ['Cable Organizer Set', 'Silicone clips and sleeves.', 1300, 75],
  ],
  outdoor: [
    ['Ultralight Tent 2P', 'Freestanding, 1.3 kg trail weight.', 32900, 5],
    ['Down Sleeping Bag', 'Comfort rating -2 °C, 750 fill power.', 25900, 2],
    ['Titanium Mug 450 ml', 'Weighs 70 g, doubles as a pot.', 2900, 18],
    ['Headlamp 400 lm', 'USB-C rechargeable, red light mode.', 3900, 0],
    ['Trekking Poles', 'Carbon, flick-lock, pair.', 8900, 7],
    ['Water Filter', 'Hollow-fiber, 0.1 micron.', 3600, 20],
  ],
  books: [
    ['The Bread Book', 'Sourdough from first starter to crusty loaves.', 2800, 14],
    ['Field Guide to Birds', 'Illustrated, 900 species.', 3200, 9],
    ['Designing Data Systems', 'Reliable, scalable and maintainable software.', 4500, 11],
    ['Small Gardens', 'Big harvests from balconies and courtyards.', 2200, 0],
    ['Trail Cooking', 'One-pot meals for the backcountry.', 1900, 16],
    ['The Joy of Type', 'A short history of letters.', 3000, 5],
  ],
  home: [
    ['Wool Throw Blanket', 'Lambswool, 130 x 180 cm.', 8900, 6],
    ['Ceramic Vase', 'Hand-thrown stoneware, matte glaze.', 3900, 12],
    ['Beeswax Candles (4)', 'Slow-burning and unscented.', 2400, 35],
    ['Linen Cushion Cover', '50 x 50 cm, hidden zip.', 2900, 0],
    ['Oak Wall Shelf', 'Oiled solid oak, 60 cm.', 5900, 8],
    ['Doormat', 'Coir with a rubber backing.', 3300, 19],
  ],
};

/** A few dozen products over six categories, some sold out, for `npm run dev`. */
export function demoCatalog(): NewProduct[] {
  return Object.entries(CATALOG).flatMap(([category, items]) =>
    items.map(([name, description, amount, stock]) => ({
      slug: name
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, '-')
        .replace(/^-|-$/g, ''),
      name,
      description,
      price: { amount, currency: 'EUR' },
      stock,
      category,
      imageUrls: [
        `https://images.little-ecom.example/${category}/${encodeURIComponent(name.toLowerCase().replace(/\s+/g, '-'))}.jpg`,
      ],
    })),
  );
}
