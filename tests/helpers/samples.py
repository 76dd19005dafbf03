"""A small module before and after a change with a real bug, shared by end-to-end suites."""

CACHE_BEFORE = """import time


class Cache:
    def __init__(self, ttl):
        self.ttl = ttl
        self.items = {}

    def get(self, key):
        value, stamp = self.items[key]
        return value
"""

CACHE_AFTER = """import time


class Cache:
    def __init__(self, ttl):
        self.ttl = ttl
        self.items = {}

    def get(self, key):
        value, stamp = self.items[key]
        if time.time() - stamp > self.ttl:
            return None
        return value

    def put(self, key, value):
        self.items[key] = (value, time.time())
"""


# A change across three modules of one package: the API calls the cart, which now asks
# the pricing module (new function) for a discount. Used by the walkthrough suites.
SHOP_BEFORE = {
    "shop/__init__.py": "",
    "shop/pricing.py": """TAX = 0.2


def with_tax(amount):
    return amount * (1 + TAX)
""",
    "shop/cart.py": """from shop.pricing import with_tax


class Cart:
    def __init__(self):
        self.items = []

    def add(self, name, price):
        self.items.append((name, price))

    def total(self):
        return with_tax(sum(price for _, price in self.items))
""",
    "shop/api.py": """from shop.cart import Cart


def checkout(items):
    cart = Cart()
    for name, price in items:
        cart.add(name, price)
    return {"total": cart.total()}
""",
    "README.md": "# shop\n",
}

SHOP_AFTER = {
    **SHOP_BEFORE,
    "shop/pricing.py": """TAX = 0.2


def with_tax(amount):
    return amount * (1 + TAX)


def discount(amount, code):
    if code == "HALF":
        return amount / 2
    return amount
""",
    "shop/cart.py": """from shop.pricing import discount, with_tax


class Cart:
    def __init__(self):
        self.items = []

    def add(self, name, price):
        self.items.append((name, price))

    def total(self, code=None):
        subtotal = sum(price for _, price in self.items)
        return with_tax(discount(subtotal, code))
""",
    "shop/api.py": """from shop.cart import Cart


def checkout(items, code=None):
    cart = Cart()
    for name, price in items:
        cart.add(name, price)
    return {"total": cart.total(code)}
""",
    "tests/test_cart.py": """from shop.cart import Cart


def test_half():
    cart = Cart()
    cart.add("a", 10)
    assert cart.total("HALF") == 6
""",
    "README.md": "# shop\n\nDiscount codes: `HALF`.\n",
}
